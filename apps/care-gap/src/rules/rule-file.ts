import { readFileSync } from 'node:fs';
import { parseRuleFile, RuleFileError, type CareGapRule } from './rule-validation';

export const RULE_FILE = Symbol('RULE_FILE');

export interface RuleFile {
  source: string;
  rules: CareGapRule[];
}

/** Reads and validates the rule file before the service starts anything; throws naming the bad rules. */
export function loadRuleFile(path: string): RuleFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RuleFileError(path, [`cannot be read (${error instanceof Error && 'code' in error ? String(error.code) : 'error'})`]);
  }
  return { source: path, rules: parseRuleFile(text, path) };
}

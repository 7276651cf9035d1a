import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { CareGapRuleDto } from './rule.dto';

export type CareGapRule = CareGapRuleDto;

/** HCPCS Level II: a letter A–V and four digits (A4670, E0607). */
const HCPCS_LEVEL_II = /^[A-V][0-9]{4}$/;

const DIAGNOSIS_CODE = /\b[A-TV-Z][0-9][0-9AB](?:\.[0-9A-Z]{1,4})?\b/;

/** Words that would tell a notification's reader what the patient has. */
const CLINICAL_TERMS =
  /\b(diagnos\w*|dx|hypertensi\w*|diabet\w*|heart failure|cardi\w*|coronary|copd|pulmonary|pregnan\w*|postpartum|postnatal|preeclampsia|eclampsia|hiv|aids|mental|psychiatr\w*|depress\w*|schizo\w*|bipolar|substance|alcohol\w*|opioid\w*|addiction|cancer|oncolog\w*)\b/i;

/** Why a notification title would disclose more than the minimum necessary, or null. */
export function titleProblem(title: string): string | null {
  if (DIAGNOSIS_CODE.test(title)) {
    return 'notificationTitle must not contain a diagnosis code';
  }
  if (CLINICAL_TERMS.test(title)) {
    return 'notificationTitle must not name a condition (minimum necessary)';
  }
  return null;
}

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = `${prefix}${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) => (message.startsWith(error.property) ? `${prefix}${message}` : `${path}: ${message}`));
    return [...own, ...flatten(error.children ?? [], `${path}.`)];
  });
}

function semanticProblems(rule: CareGapRule): string[] {
  const problems: string[] = [];
  if (rule.trigger === 'conditions') {
    if (!rule.conditions || rule.conditions.ranges.length + rule.conditions.prefixes.length === 0) {
      problems.push('conditions must name at least one range or prefix when trigger is conditions');
    }
  } else {
    if (rule.conditions) {
      problems.push(`conditions are not allowed when trigger is ${rule.trigger}`);
    }
    if (rule.homeItem) {
      problems.push(`homeItem must be false when trigger is ${rule.trigger}`);
    }
  }
  for (const range of rule.conditions?.ranges ?? []) {
    if (range.from.toUpperCase() > range.to.toUpperCase()) {
      problems.push(`conditions.ranges ${range.from}-${range.to}: from is after to`);
    }
  }
  if (rule.item.system === 'HCPCS' && !HCPCS_LEVEL_II.test(rule.item.code)) {
    problems.push('item.code must be a HCPCS Level II code (a letter A-V and four digits) when item.system is HCPCS');
  }
  if (rule.item.system !== 'HCPCS' && !/^[a-z0-9][a-z0-9-]{1,62}$/.test(rule.item.code)) {
    problems.push(`item.code must be lower-case letters, digits and dashes when item.system is ${rule.item.system}`);
  }
  const title = titleProblem(rule.notificationTitle);
  if (title) {
    problems.push(title);
  }
  return problems;
}

/** Validates one rule (shape, codes, minimum-necessary title); every problem is listed, never only the first. */
export function validateRule(raw: unknown): { rule: CareGapRule | null; problems: string[] } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { rule: null, problems: ['a rule must be an object'] };
  }
  const rule = plainToInstance(CareGapRuleDto, raw);
  const shape = flatten(validateSync(rule, { whitelist: true, forbidNonWhitelisted: true }));
  if (shape.length > 0) {
    return { rule: null, problems: shape };
  }
  const problems = semanticProblems(rule);
  return { rule: problems.length === 0 ? rule : null, problems };
}

/** A rule file the service refuses to start with; the message names each bad rule. */
export class RuleFileError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid care-gap rule file ${source}: ${problems.join('; ')}`);
    this.name = RuleFileError.name;
  }
}

/** Parses and validates a rule file (`{ "rules": [...] }`); throws RuleFileError naming every bad rule. */
export function parseRuleFile(text: string, source: string): CareGapRule[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new RuleFileError(source, [`not valid JSON (${error instanceof Error ? error.message : String(error)})`]);
  }
  const rules = typeof parsed === 'object' && parsed !== null ? (parsed as { rules?: unknown }).rules : undefined;
  if (!Array.isArray(rules) || rules.length === 0) {
    throw new RuleFileError(source, ['"rules" must be a non-empty array']);
  }
  const problems: string[] = [];
  const valid: CareGapRule[] = [];
  const seen = new Set<string>();
  rules.forEach((raw: unknown, index) => {
    const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : `#${index + 1}`;
    const result = validateRule(raw);
    if (result.problems.length > 0) {
      problems.push(`rule "${id}": ${result.problems.join(', ')}`);
    } else if (result.rule) {
      if (seen.has(result.rule.id)) {
        problems.push(`rule "${id}": duplicate id`);
      }
      seen.add(result.rule.id);
      valid.push(result.rule);
    }
  });
  if (problems.length > 0) {
    throw new RuleFileError(source, problems);
  }
  return valid;
}

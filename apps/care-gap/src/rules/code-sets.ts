/** ICD-10-CM code sets as rules state them: category ranges (I20–I25) and prefixes (I50, O10.0). */
export interface ConditionCodeSet {
  system: 'ICD10';
  /** Inclusive ranges of 3-character categories, e.g. { from: 'I20', to: 'I25' }. */
  ranges: Array<{ from: string; to: string }>;
  /** Code prefixes without or with the dot, e.g. 'I50' or 'O10.0'. */
  prefixes: string[];
}

export const ICD10_CODE = /^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$/;
export const ICD10_CATEGORY = /^[A-Z][0-9][0-9A-Z]$/;
export const ICD10_PREFIX = /^[A-Z][0-9A-Z]{0,2}(\.?[0-9A-Z]{0,4})?$/;

/** Upper case without the dot, so I10, i10 and I10. compare equal; 'I25.10' -> 'I2510'. */
export function normalizeIcd10(code: string): string {
  return code.trim().toUpperCase().replace(/\./g, '');
}

export function inCodeSet(code: string, set: ConditionCodeSet): boolean {
  const normalized = normalizeIcd10(code);
  const category = normalized.slice(0, 3);
  if (set.ranges.some((range) => category >= range.from.toUpperCase() && category <= range.to.toUpperCase())) {
    return true;
  }
  return set.prefixes.some((prefix) => normalized.startsWith(normalizeIcd10(prefix)));
}

import { normalizeIcd10 } from '../rules/code-sets';

/**
 * Categories whose codes never cause outreach and never reach a notification or an event without
 * the patient's recorded consent. Fixed in code, not rule data, so no rule change can weaken it.
 */
export const SENSITIVE_CATEGORIES = ['mental-health', 'substance-use', 'hiv'] as const;
export type SensitiveCategory = (typeof SENSITIVE_CATEGORIES)[number];

const between = (category: string, from: string, to: string): boolean => category >= from && category <= to;

/**
 * Substance use (F10–F19) is protected by 42 CFR Part 2 and checked before mental health
 * (F01–F99), which contains it. HIV: B20 disease, Z21 asymptomatic infection status, and O98.7
 * (HIV complicating pregnancy, childbirth or the puerperium), which otherwise hides it in chapter O.
 */
export function sensitiveCategoryOf(code: string): SensitiveCategory | null {
  const normalized = normalizeIcd10(code);
  const category = normalized.slice(0, 3);
  if (between(category, 'F10', 'F19')) {
    return 'substance-use';
  }
  if (between(category, 'F01', 'F99')) {
    return 'mental-health';
  }
  if (category === 'B20' || category === 'Z21' || normalized.startsWith('O987')) {
    return 'hiv';
  }
  return null;
}

/** Whether the code may be used for outreach and shown, given the categories the patient consented to. */
export function codeUsable(code: string, consents: ReadonlySet<SensitiveCategory>): boolean {
  const category = sensitiveCategoryOf(code);
  return category === null || consents.has(category);
}

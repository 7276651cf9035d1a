import type { PatientIdentifier } from '@sc/contracts';

/** What an encounter or a roster entry says about who the patient is. */
export interface AttributionFacts {
  identifiers?: ReadonlyArray<Pick<PatientIdentifier, 'authority' | 'value'>>;
  birthDate?: string | null;
  familyName?: string | null;
  givenName?: string | null;
}

/**
 * The keys under which a patient can be found, computed alike for a roster entry and for an
 * encounter, so that any roster entry RosterRepository.findMatchCandidates can return shares a key
 * with the encounter: an identifier with its authority (the identifier match ignores identifiers
 * without one), and, with a birth date, birth date plus upper-cased family name and birth date plus
 * upper-cased given name (the demographic match asks for the same birth date and either name, a
 * missing name comparing as empty). Birth dates are ISO dates on both sides.
 */
export function attributionKeys(facts: AttributionFacts): string[] {
  const keys = (facts.identifiers ?? [])
    .filter((identifier) => identifier.authority !== null)
    .map((identifier) => `identifier:${identifier.authority}|${identifier.value}`);
  if (facts.birthDate) {
    keys.push(`family:${facts.birthDate}|${(facts.familyName ?? '').toUpperCase()}`, `given:${facts.birthDate}|${(facts.givenName ?? '').toUpperCase()}`);
  }
  return keys;
}

export const SUBJECT_PREFIX = 'subject:';

/** The key of an event subject (the pseudonymous patient reference) linked to a roster patient; the roster's trigger notifies it as is. */
export const subjectKey = (subject: string): string => `${SUBJECT_PREFIX}${subject}`;

import type { EncounterPatient } from '@sc/contracts';

export interface RosterDemographics {
  familyName: string;
  givenName: string;
  birthDate: string;
  sex: string | null;
}

const normalise = (value: string | null | undefined): string => (value ?? '').normalize('NFKD').replace(/[^A-Za-z]/g, '').toUpperCase();

/** Weights sum to 1; a perfect score needs family and given name, birth date and sex to agree. */
const WEIGHTS = { family: 0.35, given: 0.25, givenInitial: 0.1, birthDate: 0.3, sex: 0.1 } as const;

/** Score at or above which a demographic candidate goes to identity review rather than being ignored. */
export const REVIEW_THRESHOLD = 0.6;
/** Only a perfect, unique demographic match attaches without review. */
export const AUTO_MATCH_SCORE = 1;

export function demographicScore(incoming: Pick<EncounterPatient, 'familyName' | 'givenName' | 'birthDate' | 'sex'>, roster: RosterDemographics): number {
  let score = 0;
  if (incoming.birthDate && incoming.birthDate === roster.birthDate) {
    score += WEIGHTS.birthDate;
  }
  const family = normalise(incoming.familyName);
  if (family.length > 0 && family === normalise(roster.familyName)) {
    score += WEIGHTS.family;
  }
  const given = normalise(incoming.givenName);
  const rosterGiven = normalise(roster.givenName);
  if (given.length > 0 && given === rosterGiven) {
    score += WEIGHTS.given;
  } else if (given.length > 0 && given[0] === rosterGiven[0]) {
    score += WEIGHTS.givenInitial;
  }
  if (incoming.sex && roster.sex && incoming.sex === roster.sex) {
    score += WEIGHTS.sex;
  }
  return Math.round(score * 100) / 100;
}

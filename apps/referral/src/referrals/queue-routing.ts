import type { ReferralType } from '@sc/contracts';

/** The nursing skill a referral type needs; a queue is one team's referrals of one skill. */
export const SKILL_OF: { readonly [T in ReferralType]: string } = {
  'dme-order': 'equipment',
  'in-home-nursing': 'home-health',
  'wellness-program': 'wellness',
  'specialist-briefing': 'care-coordination',
  'social-needs': 'social-work',
  'postpartum-follow-up': 'maternal-health',
};

export const SKILLS: readonly string[] = [...new Set(Object.values(SKILL_OF))];

export const queueIdOf = (teamId: string, skill: string): string => `${teamId}.${skill}`;

/** The sending facility of an episode id `enc:<facility>:<visit>`, or null for another shape. */
export function facilityOf(correlationId: string): string | null {
  const match = /^enc:([^:]+):.+$/.exec(correlationId);
  return match ? match[1] : null;
}

export function teamFor(correlationId: string, facilityTeams: Readonly<Record<string, string>>, defaultTeam: string): string {
  const facility = facilityOf(correlationId);
  return (facility !== null && facilityTeams[facility]) || defaultTeam;
}

/** ISO 639-2 codes hospital feeds send in PID-15, mapped to ISO 639-1 where one exists. */
const ISO_639_2: Readonly<Record<string, string>> = {
  eng: 'en',
  spa: 'es',
  fre: 'fr',
  fra: 'fr',
  ger: 'de',
  deu: 'de',
  chi: 'zh',
  zho: 'zh',
  vie: 'vi',
  kor: 'ko',
  rus: 'ru',
  ara: 'ar',
  por: 'pt',
  tgl: 'tl',
  som: 'so',
  hin: 'hi',
  pol: 'pl',
  ita: 'it',
  jpn: 'ja',
  hat: 'ht',
  urd: 'ur',
  fas: 'fa',
  per: 'fa',
  ben: 'bn',
  pan: 'pa',
  amh: 'am',
  nep: 'ne',
  ukr: 'uk',
};

/**
 * A patient's or nurse's language as a lower-case ISO 639 code (`SPA^Spanish^ISO639-2` -> `es`,
 * `es-MX` -> `es`), or null when unknown.
 */
export function normalizeLanguage(raw: string | null | undefined): string | null {
  if (!raw) {
    return null;
  }
  const code = raw.split('^')[0].trim().toLowerCase().split(/[-_]/)[0];
  if (!/^[a-z]{2,3}$/.test(code)) {
    return null;
  }
  return ISO_639_2[code] ?? code;
}

/** The language a referral must be worked in; English needs no match (every nurse speaks it). */
export function requiredLanguage(raw: string | null | undefined): string | null {
  const language = normalizeLanguage(raw);
  return language === 'en' ? null : language;
}

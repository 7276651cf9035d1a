import type { ReferralType } from '@sc/contracts';
import { languageCode } from '@sc/language';

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

/** The language a referral must be worked in; English needs no match (every nurse speaks it). */
export function requiredLanguage(raw: string | null | undefined): string | null {
  const language = languageCode(raw);
  return language === 'en' ? null : language;
}

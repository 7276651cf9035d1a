import type { AnyEventEnvelope, EncounterEventData, EventEnvelope } from '@sc/contracts';
import { referralFromCareGap, referralFromNeed } from '../referrals/referral-sources';

/** Whom this service serves, as one instance holds it in memory. */
export interface Attribution {
  /** A patient referral already holds referrals, episodes or pharmacy facts for. */
  knows(subject: string): boolean;
  /** A plan whose members this service serves. */
  participates(planId: string): boolean;
}

type EncounterType = 'encounter.admitted' | 'encounter.transferred' | 'encounter.discharged' | 'encounter.updated' | 'encounter.admission-cancelled' | 'encounter.discharge-cancelled';

const ENCOUNTER_TYPES: ReadonlySet<string> = new Set<EncounterType>([
  'encounter.admitted',
  'encounter.transferred',
  'encounter.discharged',
  'encounter.updated',
  'encounter.admission-cancelled',
  'encounter.discharge-cancelled',
]);

const attributed = (subject: string, data: EncounterEventData, attribution: Attribution): boolean =>
  attribution.knows(subject) || data.coverage.some((coverage) => coverage.planId !== null && attribution.participates(coverage.planId.trim()));

/**
 * Whether an event concerns referral, from memory: an encounter event of an attributed patient (its
 * facts time and route referrals; a discharge may call for one); a merge of a patient it knows; a
 * care gap or need flag only when intake turns it into a referral; a closed gap only of a patient
 * it knows (only those have referrals); other pharmacy events always (they exist only for rostered
 * patients).
 */
export function referralConcerns(event: EventEnvelope, attribution: Attribution): boolean {
  const typed = event as AnyEventEnvelope;
  try {
    if (ENCOUNTER_TYPES.has(typed.type)) {
      return attributed(typed.subject, (typed as EventEnvelope<EncounterType>).data, attribution);
    }
    if (typed.type === 'patient.merged') {
      return attribution.knows(typed.subject) || attribution.knows(typed.data.priorSubject);
    }
    if (typed.type === 'care-gap.opened' || typed.type === 'care-gap.updated') {
      return referralFromCareGap(typed.data) !== null;
    }
    if (typed.type === 'care-gap.closed') {
      return attribution.knows(typed.subject);
    }
    if (typed.type === 'pharmacy.need-flagged') {
      return referralFromNeed(typed.data) !== null;
    }
    return true;
  } catch {
    // A payload this cannot read goes to its handler, which refuses it to the dead-letter topic.
    return true;
  }
}

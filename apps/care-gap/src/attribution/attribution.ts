import type { AnyEventEnvelope, EncounterEventData, EventEnvelope } from '@sc/contracts';
import { dischargeDestination } from '../encounters/discharge-destination';

/** Whom this service serves, as one instance holds it in memory. */
export interface Attribution {
  /** A patient already attributed: rostered (seen in pharmacy events), on a participating plan, or with gaps here. */
  knows(subject: string): boolean;
  /** A plan whose members this service serves. */
  participates(planId: string): boolean;
}

/** The patient is known, or the event's own coverage names a participating plan. */
export function attributed(subject: string, data: EncounterEventData, attribution: Attribution): boolean {
  return attribution.knows(subject) || data.coverage.some((coverage) => coverage.planId !== null && attribution.participates(coverage.planId.trim()));
}

/**
 * Whether an event concerns care-gap, from memory: a discharge of an attributed patient (it may
 * open gaps); an update or transfer only when it reports the death of a patient care-gap knows
 * (it closes their gaps); pharmacy and clinical-context events always (they exist only for
 * rostered patients, or are addressed to care-gap).
 */
export function careGapConcerns(event: EventEnvelope, attribution: Attribution): boolean {
  const typed = event as AnyEventEnvelope;
  try {
    if (typed.type === 'encounter.discharged') {
      return attributed(typed.subject, typed.data, attribution);
    }
    if (typed.type === 'encounter.updated' || typed.type === 'encounter.transferred') {
      return attribution.knows(typed.subject) && dischargeDestination(typed.data).deceased;
    }
    return true;
  } catch {
    // A payload this cannot read goes to its handler, which refuses it to the dead-letter topic.
    return true;
  }
}

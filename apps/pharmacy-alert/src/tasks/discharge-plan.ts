import type { EncounterEventData, EventEnvelope, PharmacyTaskCreatedData, TaskKind } from '@sc/contracts';

/** PV1-36 discharge dispositions (HL7 table 0112) that send the patient to another facility, not home. */
const FACILITY_DISPOSITIONS = new Set(['02', '03', '04', '05', '43', '61', '62', '63', '64', '65', '66', '70']);
const EXPIRED_DISPOSITIONS = new Set(['20', '40', '41', '42']);

export type DischargeOutcome = { action: 'no-outreach'; reason: 'expired' } | { action: 'task'; kind: TaskKind };

/** What a discharge asks of the pharmacist: a home call, coordination with a facility, or nothing (death). */
export function planForDischarge(data: EncounterEventData): DischargeOutcome {
  const disposition = data.visit.dischargeDisposition;
  if (data.patient.deceased || (disposition !== null && EXPIRED_DISPOSITIONS.has(disposition))) {
    return { action: 'no-outreach', reason: 'expired' };
  }
  if (disposition !== null && FACILITY_DISPOSITIONS.has(disposition)) {
    return { action: 'task', kind: 'coordinate-with-facility' };
  }
  return { action: 'task', kind: 'discharge-call' };
}

const HOUR_MS = 60 * 60 * 1000;
/** Admissions within this many days before a discharge make it a readmission risk. */
const RECENT_ADMISSION_DAYS = 30;

/** The kinds of task a discharge may create, one per episode. */
export const DISCHARGE_KINDS: readonly TaskKind[] = ['discharge-call', 'chart-review', 'coordinate-with-facility'];

/** The clinical discharge time (PV1-45), else when the hospital says the event occurred; invalid when neither parses. */
export function dischargeTimeOf(event: EventEnvelope<'encounter.discharged'>): Date {
  return new Date(event.data.visit.dischargedAt ?? event.occurredAt);
}

/** Start of the window in which the patient's admissions count as recent for a discharge at `dischargedAt`. */
export function recentAdmissionsSince(dischargedAt: Date): Date {
  return new Date(dischargedAt.getTime() - RECENT_ADMISSION_DAYS * 24 * HOUR_MS);
}

export interface TaskClock {
  dueAt: Date;
  overdueOnArrival: boolean;
  priority: PharmacyTaskCreatedData['priority'];
}

/**
 * The 24-hour clock starts at the clinical discharge time, not when the message arrived: a late
 * discharge is created already urgent (or overdue), never dropped.
 */
export function taskClock(dischargedAt: Date, now: Date, windowHours: number, specialtyTherapy: boolean): TaskClock {
  const dueAt = new Date(dischargedAt.getTime() + windowHours * HOUR_MS);
  const remainingMs = dueAt.getTime() - now.getTime();
  const overdueOnArrival = remainingMs <= 0;
  let priority: TaskClock['priority'] = specialtyTherapy ? 'high' : 'routine';
  if (remainingMs < 4 * HOUR_MS) {
    priority = 'urgent';
  }
  return { dueAt, overdueOnArrival, priority };
}

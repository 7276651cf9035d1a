import type { TaskKind } from '@sc/contracts';

/** What the report needs to know about one discharge received; read in one statement by the repository. */
export interface DischargeFacts {
  episodeKey: string;
  patientId: string;
  taskId: string | null;
  kind: TaskKind | null;
  dischargedAt: Date;
  /** The discharge reported a death, or the patient died before the follow-up was done. */
  expired: boolean;
  /** `cancelled` when the hospital cancelled the discharge (A13). */
  status: string | null;
  taskOutcome: string | null;
  /** The first call that reached the patient. */
  firstContactAt: Date | null;
  declined: boolean;
  unsuccessfulAttempts: number;
  /** The TCM interactive-contact deadline (2 business days). */
  contactDueAt: Date | null;
  /** The HEDIS medication-reconciliation deadline (discharge day + 30). */
  reconciliationDueAt: Date | null;
  reconciledAt: Date | null;
}

export const MEASURES = ['contacted-within-2-business-days', 'reconciled-within-30-days'] as const;
export type Measure = (typeof MEASURES)[number];

/** Why a discharge missed a measure, the first that applies in this order. */
export const MISS_REASONS = [
  'expired',
  'moved-to-facility',
  'discharge-cancelled',
  'declined',
  'contacted-late',
  'unreachable',
  'no-phone-consent',
  'not-contacted',
  'not-reconciled',
] as const;
export type MissReason = (typeof MISS_REASONS)[number];

export interface Share {
  count: number;
  /** count / discharges received, 0 to 1; null when nothing was received. */
  share: number | null;
}

export interface Miss {
  episodeKey: string;
  patientId: string;
  taskId: string | null;
  dischargedAt: string;
  missed: Measure[];
  reason: MissReason;
}

export interface QualityReport {
  dischargesReceived: number;
  contacted: number;
  medianMinutesToFirstContact: number | null;
  p90MinutesToFirstContact: number | null;
  contactedWithin24Hours: Share;
  contactedWithin2BusinessDays: Share;
  reconciledWithin30Days: Share;
  misses: Miss[];
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** Nearest-rank percentile: the smallest value at least `p` of the values do not exceed. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) {
    return null;
  }
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

const contactedInTime = (facts: DischargeFacts): boolean =>
  facts.firstContactAt !== null && facts.contactDueAt !== null && facts.firstContactAt < facts.contactDueAt;

const reconciledInTime = (facts: DischargeFacts): boolean =>
  facts.reconciledAt !== null && facts.reconciliationDueAt !== null && facts.reconciledAt < facts.reconciliationDueAt;

/** A measure is missed once its window has closed unmet; a discharge without a task (the patient died) has no window to wait for. */
const closed = (dueAt: Date | null, now: Date): boolean => dueAt === null || now >= dueAt;

export function missedMeasures(facts: DischargeFacts, now: Date): Measure[] {
  const missed: Measure[] = [];
  if (!contactedInTime(facts) && closed(facts.contactDueAt, now)) {
    missed.push('contacted-within-2-business-days');
  }
  if (!reconciledInTime(facts) && closed(facts.reconciliationDueAt, now)) {
    missed.push('reconciled-within-30-days');
  }
  return missed;
}

export function missReason(facts: DischargeFacts, missed: readonly Measure[]): MissReason {
  if (facts.expired) {
    return 'expired';
  }
  if (facts.kind === 'coordinate-with-facility') {
    return 'moved-to-facility';
  }
  if (facts.status === 'cancelled') {
    return 'discharge-cancelled';
  }
  if (facts.declined || facts.taskOutcome === 'patient-declined') {
    return 'declined';
  }
  if (!missed.includes('contacted-within-2-business-days')) {
    return 'not-reconciled';
  }
  if (facts.firstContactAt !== null) {
    return 'contacted-late';
  }
  if (facts.taskOutcome === 'unreachable' || facts.unsuccessfulAttempts > 0) {
    return 'unreachable';
  }
  return facts.kind === 'chart-review' ? 'no-phone-consent' : 'not-contacted';
}

const minutesToFirstContact = (facts: DischargeFacts): number | null =>
  facts.firstContactAt ? Math.round((facts.firstContactAt.getTime() - facts.dischargedAt.getTime()) / MINUTE_MS) : null;

const shareOf = (count: number, total: number): Share => ({ count, share: total === 0 ? null : Math.round((count / total) * 10_000) / 10_000 });

/** The discharge follow-up report a payer asks for, over the discharges of one facility and team in a period. */
export function qualityReport(discharges: readonly DischargeFacts[], now: Date): QualityReport {
  const minutesToContact = discharges.flatMap((facts) => {
    const minutes = minutesToFirstContact(facts);
    return minutes === null ? [] : [minutes];
  });
  const total = discharges.length;
  const misses = discharges.flatMap((facts): Miss[] => {
    const missed = missedMeasures(facts, now);
    return missed.length === 0
      ? []
      : [{ episodeKey: facts.episodeKey, patientId: facts.patientId, taskId: facts.taskId, dischargedAt: facts.dischargedAt.toISOString(), missed, reason: missReason(facts, missed) }];
  });
  return {
    dischargesReceived: total,
    contacted: minutesToContact.length,
    medianMinutesToFirstContact: percentile(minutesToContact, 0.5),
    p90MinutesToFirstContact: percentile(minutesToContact, 0.9),
    contactedWithin24Hours: shareOf(minutesToContact.filter((minutes) => minutes * MINUTE_MS <= DAY_MS).length, total),
    contactedWithin2BusinessDays: shareOf(discharges.filter(contactedInTime).length, total),
    reconciledWithin30Days: shareOf(discharges.filter(reconciledInTime).length, total),
    misses,
  };
}

const CSV_COLUMNS = [
  'patient_id',
  'episode',
  'task_id',
  'discharged_at',
  'first_contact_at',
  'minutes_to_first_contact',
  'contacted_within_24_hours',
  'contacted_within_2_business_days',
  'reconciled_within_30_days',
  'missed',
  'reason',
] as const;

const csvField = (value: string): string => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/**
 * The report's export: one row per discharge received, with what the figures are computed from,
 * so a payer can check every share and every miss. The patient id leads each row, so the access
 * audit can read it back without parsing quoted fields.
 */
export function qualityReportCsv(discharges: readonly DischargeFacts[], now: Date): string {
  const rows = discharges.map((facts) => {
    const minutes = minutesToFirstContact(facts);
    const missed = missedMeasures(facts, now);
    return [
      facts.patientId,
      facts.episodeKey,
      facts.taskId ?? '',
      facts.dischargedAt.toISOString(),
      facts.firstContactAt?.toISOString() ?? '',
      minutes === null ? '' : String(minutes),
      String(minutes !== null && minutes * MINUTE_MS <= DAY_MS),
      String(contactedInTime(facts)),
      String(reconciledInTime(facts)),
      missed.join(' '),
      missed.length === 0 ? '' : missReason(facts, missed),
    ];
  });
  return [CSV_COLUMNS.join(','), ...rows.map((row) => row.map(csvField).join(','))].join('\r\n') + '\r\n';
}

/** What the fault suite measures and decides, kept free of I/O so the rules can be unit-tested. */

export interface Probe {
  index: number;
  pharmacyPatientId: string;
  mrn: string;
  sentAt: number;
  /** MSA-1 of the acknowledgment, or 'error' when none came (connection refused or lost). */
  ack: string;
  /** When each part of the pipeline had it: 'task', 'stream', and each other consumer by name. */
  progress: Record<string, number>;
  /** When the whole pipeline had processed it: the pharmacist's stream delivered the task and every other consumer recorded the discharge. */
  completedAt?: number;
}

/** Time from the fault until the first discharge sent after it went through the whole pipeline. */
export function recoveryMs(probes: readonly Probe[], faultAt: number, tookHoldAt = faultAt): number | undefined {
  const completions = probes
    .filter((probe) => probe.sentAt >= tookHoldAt && probe.completedAt !== undefined)
    .map((probe) => (probe.completedAt as number) - faultAt);
  return completions.length === 0 ? undefined : Math.min(...completions);
}

/** PV1-36 values that mean the patient died: the pharmacist gets no task (pharmacy-alert's discharge plan). */
const EXPIRED_DISPOSITIONS = new Set(['20', '40', '41', '42']);

export interface DischargeRecord {
  eventId: string;
  correlationId: string;
  identifiers: Array<{ value: string; authority: string | null }>;
  disposition: string | null;
  deceased: boolean;
}

export interface DischargeVerdict {
  /** Discharges of rostered, living patients: each must have a pharmacist task for its episode. */
  expected: number;
  missing: DischargeRecord[];
  /** Not yet handled by pharmacy-alert (its inbox lacks the event). */
  unprocessed: DischargeRecord[];
}

/**
 * Which ACKed discharges (adt-ingest commits before it answers AA, so its outbox holds every one)
 * of rostered patients lack their pharmacist task. `rostered` holds "authority|value" keys.
 */
export function judgeDischarges(
  discharges: readonly DischargeRecord[],
  rostered: ReadonlySet<string>,
  processedEventIds: ReadonlySet<string>,
  episodesWithTask: ReadonlySet<string>,
): DischargeVerdict {
  const verdict: DischargeVerdict = { expected: 0, missing: [], unprocessed: [] };
  for (const discharge of discharges) {
    const isRostered = discharge.identifiers.some((identifier) => rostered.has(rosterKey(identifier.authority, identifier.value)));
    const expired = discharge.deceased || (discharge.disposition !== null && EXPIRED_DISPOSITIONS.has(discharge.disposition));
    if (!isRostered || expired) {
      continue;
    }
    verdict.expected += 1;
    if (!processedEventIds.has(discharge.eventId)) {
      verdict.unprocessed.push(discharge);
    } else if (!episodesWithTask.has(discharge.correlationId)) {
      verdict.missing.push(discharge);
    }
  }
  return verdict;
}

export const rosterKey = (authority: string | null, value: string): string => `${authority ?? ''}|${value}`;

/** Values seen more than once, with their counts. */
export function repeated(values: readonly string[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) {
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return Object.fromEntries([...counts].filter(([, count]) => count > 1));
}

export interface TableColumn<Row> {
  header: string;
  value: (row: Row) => string;
}

/** A plain-text table with aligned columns, for the console. */
export function formatTable<Row>(rows: readonly Row[], columns: ReadonlyArray<TableColumn<Row>>): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, index) => Math.max(column.header.length, ...cells.map((line) => line[index].length)));
  const render = (line: string[]): string => line.map((cell, index) => cell.padEnd(widths[index])).join('  ').trimEnd();
  return [render(columns.map((column) => column.header)), render(widths.map((width) => '-'.repeat(width))), ...cells.map(render)].join('\n');
}

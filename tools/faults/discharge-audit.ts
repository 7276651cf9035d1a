import { judgeDischarges, type DischargeRecord } from './evaluation';
import type { RunDatabases } from './run-databases';

export interface AuditResult {
  /** Discharges of rostered, living patients judged in this check (earlier unprocessed ones included). */
  checked: number;
  missing: number;
  /** Still not handled by pharmacy-alert when the check gave up waiting. */
  unprocessed: number;
}

/**
 * Every discharge adt-ingest committed (it ACKs only after the commit) for a rostered patient
 * must end as a pharmacist task. Each check takes the discharges committed since the last one,
 * waits for pharmacy-alert to handle them, and records those handled without a task.
 */
export class DischargeAudit {
  private lastSeq = '0';
  private pending: DischargeRecord[] = [];
  readonly missing: DischargeRecord[] = [];

  constructor(
    private readonly databases: RunDatabases,
    private readonly rostered: ReadonlySet<string>,
  ) {}

  async check(waitMs: number): Promise<AuditResult> {
    const until = await this.databases.now();
    const { records, lastSeq } = await this.databases.dischargesAfter(this.lastSeq, until);
    this.lastSeq = lastSeq;
    const candidates = [...this.pending, ...records];
    const deadline = Date.now() + waitMs;
    for (;;) {
      const processed = await this.databases.processed('pharmacy-alert', candidates.map((record) => record.eventId));
      const withTask = await this.databases.episodesWithDischargeTask(candidates.map((record) => record.correlationId));
      const verdict = judgeDischarges(candidates, this.rostered, new Set(processed.keys()), withTask);
      if (verdict.unprocessed.length === 0 || Date.now() >= deadline) {
        this.pending = verdict.unprocessed;
        this.missing.push(...verdict.missing);
        return { checked: verdict.expected, missing: verdict.missing.length, unprocessed: verdict.unprocessed.length };
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

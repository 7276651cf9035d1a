import { formatHl7Timestamp } from '@sc/hl7';
import { MllpClient } from '@sc/mllp';
import { syntheticAdt, type ServiceName, type SystemUnderTest } from '@sc/testing';
import { rosterKey, type Probe } from './evaluation';
import type { ProbeTask, RunDatabases } from './run-databases';
import type { StreamWatcher } from './stream-watcher';

export interface ProbeOptions {
  intervalMs: number;
  runTag: string;
  pharmacistId: string;
  teamId: string;
  /** Consumers besides pharmacy-alert that must record each discharge for it to count as through. */
  alsoProcessedBy: ServiceName[];
  /** Receives the roster key (rosterKey) of every probe patient once it is on the roster. */
  rosterKeys: Set<string>;
}

const ROSTER_BATCH = 500;
const ROSTER_AHEAD = 200;
const TRACK_INTERVAL_MS = 250;

const msaCode = (ack: string): string => /(?:^|\r)MSA\|([A-Z]{2})\|/.exec(ack)?.[1] ?? 'unparsed';

/**
 * Discharges of probe patients (rostered to one pharmacist) sent at a steady pace next to the
 * feed, each followed through the whole pipeline: ACK, the pharmacist's task on their stream,
 * and the other consumers' inboxes. Recovery times are measured on them.
 */
export class ProbeRunner {
  readonly probes: Probe[] = [];
  private rostered = 0;
  private toppingUp = false;
  private running = false;
  private sending = false;
  private loops: Promise<void>[] = [];
  private client: MllpClient | undefined;
  private readonly tasks = new Map<string, ProbeTask>();

  constructor(
    private readonly system: SystemUnderTest,
    private readonly databases: RunDatabases,
    private readonly stream: StreamWatcher,
    private readonly options: ProbeOptions,
  ) {}

  /** Probe patients go on the roster ahead of use: while pharmacy-alert is down no roster upload works. */
  async loadRoster(count: number): Promise<void> {
    for (let loaded = 0; loaded < count; loaded += ROSTER_BATCH) {
      const rows = Array.from({ length: Math.min(ROSTER_BATCH, count - loaded) }, (_, offset) => this.rosterRow(this.rostered + offset));
      const response = await fetch(this.system.service('pharmacy-alert').url('/v1/roster/patients'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...this.system.authorization('fault-suite', ['integration']) },
        body: JSON.stringify({ patients: rows }),
        signal: AbortSignal.timeout(10_000),
      });
      const result = (await response.json()) as { accepted?: number };
      if (result.accepted !== rows.length) {
        throw new Error(`roster upload accepted ${String(result.accepted)} of ${rows.length} probe patients`);
      }
      for (let offset = 0; offset < rows.length; offset += 1) {
        this.options.rosterKeys.add(rosterKey('LGH', this.mrn(this.rostered + offset)));
      }
      this.rostered += rows.length;
    }
  }

  start(): void {
    this.running = true;
    this.sending = true;
    this.loops = [this.sendLoop(), this.trackLoop()];
  }

  /** Sends no more probes; those sent are still followed until stop(). */
  async stopSending(): Promise<void> {
    this.sending = false;
    await this.loops[0];
    await this.client?.close();
  }

  async stop(): Promise<void> {
    await this.stopSending();
    this.running = false;
    await Promise.all(this.loops);
  }

  /** The first probe sent at or after `since` that went all the way through within `withinMs`. */
  completedSince(since: number, withinMs = Number.POSITIVE_INFINITY): Probe | undefined {
    return this.probes.find((probe) => probe.sentAt >= since && probe.completedAt !== undefined && probe.completedAt - probe.sentAt <= withinMs);
  }

  taskOf(probe: Probe): ProbeTask | undefined {
    return this.tasks.get(probe.pharmacyPatientId);
  }

  private rosterRow(index: number): Record<string, unknown> {
    return {
      pharmacyPatientId: this.patientId(index),
      // The demographics syntheticAdt sends, so the match is unambiguous.
      familyName: 'TESTER',
      givenName: 'PAT',
      birthDate: '1968-04-12',
      sex: 'M',
      pharmacistId: this.options.pharmacistId,
      teamId: this.options.teamId,
      identifiers: [{ authority: 'LGH', value: this.mrn(index), type: 'MR' }],
      therapies: [{ drugSystem: 'RXNORM', drugCode: '327361' }],
    };
  }

  private patientId = (index: number): string => `SP-FPROBE-${index}`;
  private mrn = (index: number): string => `FPROBE${index}`;

  private async sendLoop(): Promise<void> {
    while (this.sending) {
      const started = Date.now();
      if (this.rostered - this.probes.length < ROSTER_AHEAD && !this.toppingUp) {
        this.toppingUp = true;
        void this.loadRoster(ROSTER_BATCH)
          .catch(() => undefined)
          .finally(() => {
            this.toppingUp = false;
          });
      }
      if (this.probes.length < this.rostered) {
        await this.sendOne(this.probes.length);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, this.options.intervalMs - (Date.now() - started))));
    }
  }

  private async sendOne(index: number): Promise<void> {
    const probe: Probe = { index, pharmacyPatientId: this.patientId(index), mrn: this.mrn(index), sentAt: Date.now(), ack: 'error', progress: {} };
    this.probes.push(probe);
    const message = syntheticAdt({
      trigger: 'A03',
      controlId: `${this.options.runTag}-P${index}`,
      mrn: probe.mrn,
      visitNumber: `V-${this.options.runTag}-${index}`,
      // Discharged now: the task's 24-hour clock is fresh, so no escalation joins the stream.
      clinicalTime: formatHl7Timestamp(new Date()),
      // Covered, so care-gap and referral serve the patient too (they serve participating plans).
      planId: 'FAULT-SUITE-PLAN',
    });
    try {
      if (this.client === undefined || !this.client.isConnected) {
        this.client = await MllpClient.connect({ host: '127.0.0.1', port: this.system.mllpPort, connectTimeoutMs: 1_000, responseTimeoutMs: 10_000 });
      }
      probe.ack = msaCode(await this.client.send(message));
    } catch {
      probe.ack = 'error';
    }
  }

  private async trackLoop(): Promise<void> {
    while (this.running) {
      await this.track().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, TRACK_INTERVAL_MS));
    }
  }

  /** Marks probes that every consumer has processed; the databases may be down meanwhile. */
  async track(): Promise<void> {
    const pending = this.probes.filter((probe) => probe.ack === 'AA' && probe.completedAt === undefined);
    const withoutTask = pending.filter((probe) => !this.tasks.has(probe.pharmacyPatientId)).map((probe) => probe.pharmacyPatientId);
    for (const task of await this.databases.probeTasks(withoutTask)) {
      this.tasks.set(task.pharmacyPatientId, task);
    }
    const tracked = pending.flatMap((probe) => {
      const task = this.tasks.get(probe.pharmacyPatientId);
      return task === undefined ? [] : [{ probe, task }];
    });
    const eventIds = tracked.map(({ task }) => task.sourceEventId);
    const processedBy = await Promise.all(this.options.alsoProcessedBy.map((service) => this.databases.processed(service, eventIds)));
    const parts = ['stream', ...this.options.alsoProcessedBy];
    for (const { probe, task } of tracked) {
      probe.progress.task ??= Date.now();
      const times = [this.stream.arrivalOf(task.taskId), ...processedBy.map((processed) => processed.get(task.sourceEventId))];
      times.forEach((time, index) => {
        if (time !== undefined) {
          probe.progress[parts[index]] = time;
        }
      });
      if (times.every((time) => time !== undefined)) {
        probe.completedAt = Math.max(...(times as number[]));
      }
    }
  }
}

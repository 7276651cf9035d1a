import { MllpClient } from '@sc/mllp';
import { allows, applyTrigger, createPatients, nextTrigger, renderAdt, seededRandom, type Facility, type FeedTrigger, type SyntheticPatient } from './synthetic-hospital';

export { DEFAULT_FACILITIES, DEFAULT_MIX } from './feed-mix';

export interface FeedOptions {
  host: string;
  port: number;
  /** Messages per second across all connections. */
  rate: number;
  durationSeconds: number;
  patients: number;
  rosterShare: number;
  /** Relative weights of the trigger events. */
  mix: Record<FeedTrigger, number>;
  /** Keep encounters plausible (the default); false sends each event as drawn (FeedMix.plausibleEncounters). */
  plausibleEncounters?: boolean;
  /** Share of patients in hospital when the feed starts (default 0). */
  censusShare?: number;
  /** Share of messages sent twice (same control id and content), as interface engines do on timeouts. */
  resendShare: number;
  /** Share of messages deliberately broken (a bad timestamp, a missing MSH-10, not HL7 at all). */
  malformedShare: number;
  facilities: Facility[];
  connections: number;
  seed: number;
  /** Prefix of control ids, so repeated runs are not taken for resends. */
  runTag: string;
}

export interface FeedProgress {
  sent: number;
  elapsedSeconds: number;
  acks: Record<string, number>;
}

export interface FeedSummary extends FeedProgress {
  messagesPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  byTrigger: Record<string, number>;
  resends: number;
  malformed: number;
  /** Discharges sent for rostered patients, i.e. the pharmacist tasks this run should create. */
  rosteredDischarges: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) {
    return 0;
  }
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function breakMessage(message: string, random: () => number): string {
  const kind = Math.floor(random() * 3);
  if (kind === 0) {
    return message.replace(/\|(\d{14})/, '|2026-13-45T99');
  }
  if (kind === 1) {
    return message.replace(/(MSH(?:\|[^|\r\n]*){8})\|[^|\r\n]*/, '$1|');
  }
  return 'HELLO THIS IS NOT HL7';
}

/** Rostered patients as roster rows (for loading into pharmacy-alert before a run). */
export function rosterRows(patients: SyntheticPatient[], teamId: string): Array<Record<string, unknown>> {
  return patients
    .filter((patient) => patient.rostered)
    .map((patient) => ({
      pharmacyPatientId: `SP-${patient.mrn}`,
      familyName: patient.familyName,
      givenName: patient.givenName,
      birthDate: patient.birthDate,
      sex: patient.sex,
      preferredLanguage: patient.language === 'SPA' ? 'es' : 'en',
      teamId,
      identifiers: [{ authority: patient.facility.id, value: patient.mrn, type: 'MR' }],
      therapies: [{ drugSystem: 'RXNORM', drugCode: '327361', drugName: 'adalimumab', conditionCode: 'M06.9' }],
    }));
}

export function feedPatients(options: Pick<FeedOptions, 'patients' | 'facilities' | 'rosterShare' | 'seed' | 'censusShare'>): SyntheticPatient[] {
  const patients = createPatients(options.patients, options.facilities, options.rosterShare, seededRandom(options.seed));
  // A stream of its own, so the census leaves the patients themselves as they were for a seed.
  const census = seededRandom(options.seed + 2);
  for (const patient of patients) {
    if (census() < (options.censusShare ?? 0)) {
      applyTrigger(patient, 'A01');
    }
  }
  return patients;
}

type EncounterState = SyntheticPatient['state'];
const STATES: readonly EncounterState[] = ['out', 'admitted', 'discharged'];

/**
 * Draws the next message's trigger from the mix, then a patient whose encounter allows it, so the
 * feed has the declared shares and every patient's story stays plausible. When nobody's
 * encounter allows the trigger drawn (at the start of a feed), a random patient gets the event
 * closest to it. With `plausibleEncounters` off, a random patient gets the trigger as drawn.
 */
export class FeedStream {
  private readonly pools: Record<EncounterState, SyntheticPatient[]> = { out: [], admitted: [], discharged: [] };
  private readonly slot = new Map<SyntheticPatient, number>();
  private readonly weights: Array<[FeedTrigger, number]>;
  private readonly total: number;

  constructor(
    private readonly patients: readonly SyntheticPatient[],
    mix: Readonly<Record<FeedTrigger, number>>,
    private readonly random: () => number,
    private readonly plausibleEncounters = true,
  ) {
    for (const patient of patients) {
      this.enter(patient);
    }
    this.weights = (Object.entries(mix) as Array<[FeedTrigger, number]>).filter(([, weight]) => weight > 0);
    this.total = this.weights.reduce((sum, [, weight]) => sum + weight, 0);
  }

  next(): { patient: SyntheticPatient; trigger: FeedTrigger } {
    const wanted = this.draw();
    let patient: SyntheticPatient;
    let trigger = wanted;
    if (!this.plausibleEncounters) {
      patient = this.patients[Math.floor(this.random() * this.patients.length)];
    } else {
      const candidates = STATES.filter((state) => allows(state, wanted));
      const count = candidates.reduce((sum, state) => sum + this.pools[state].length, 0);
      if (count === 0) {
        patient = this.patients[Math.floor(this.random() * this.patients.length)];
        trigger = nextTrigger(patient, wanted);
      } else {
        let index = Math.floor(this.random() * count);
        const state = candidates.find((candidate) => {
          if (index < this.pools[candidate].length) {
            return true;
          }
          index -= this.pools[candidate].length;
          return false;
        }) as EncounterState;
        patient = this.pools[state][index];
      }
    }
    this.leave(patient);
    applyTrigger(patient, trigger);
    this.enter(patient);
    return { patient, trigger };
  }

  private draw(): FeedTrigger {
    let roll = this.random() * this.total;
    for (const [trigger, weight] of this.weights) {
      roll -= weight;
      if (roll < 0) {
        return trigger;
      }
    }
    return this.weights[this.weights.length - 1][0];
  }

  private enter(patient: SyntheticPatient): void {
    const pool = this.pools[patient.state];
    this.slot.set(patient, pool.length);
    pool.push(patient);
  }

  /** Swap-remove from its pool: O(1). */
  private leave(patient: SyntheticPatient): void {
    const pool = this.pools[patient.state];
    const index = this.slot.get(patient) as number;
    const last = pool.pop() as SyntheticPatient;
    if (last !== patient) {
      pool[index] = last;
      this.slot.set(last, index);
    }
  }
}

/**
 * Plays the feed at the requested rate over several MLLP connections (each pipelining), with
 * resends and malformed messages mixed in, and measures every ACK's latency.
 */
export async function runFeed(options: FeedOptions, patients: SyntheticPatient[], onProgress?: (progress: FeedProgress) => void): Promise<FeedSummary> {
  const random = seededRandom(options.seed + 1);
  const stream = new FeedStream(patients, options.mix, random, options.plausibleEncounters ?? true);
  const clients = await Promise.all(Array.from({ length: options.connections }, () => MllpClient.connect({ host: options.host, port: options.port, responseTimeoutMs: 30_000 })));
  const latencies: number[] = [];
  const acks: Record<string, number> = {};
  const byTrigger: Record<string, number> = {};
  let sent = 0;
  let resends = 0;
  let malformed = 0;
  let rosteredDischarges = 0;
  const started = Date.now();
  const total = Math.round(options.rate * options.durationSeconds);
  const inFlight = new Set<Promise<void>>();
  const send = (client: MllpClient, message: string): void => {
    const at = performance.now();
    const pending = client
      .send(message)
      .then((ack) => {
        latencies.push(performance.now() - at);
        const code = /\rMSA\|([A-Z]{2})\|/.exec(ack)?.[1] ?? 'unparsed';
        acks[code] = (acks[code] ?? 0) + 1;
      })
      .catch(() => {
        acks.error = (acks.error ?? 0) + 1;
      })
      .finally(() => inFlight.delete(pending));
    inFlight.add(pending);
  };
  const progressTimer = setInterval(() => onProgress?.({ sent, elapsedSeconds: (Date.now() - started) / 1000, acks: { ...acks } }), 500);
  try {
    for (let index = 0; index < total; index += 1) {
      const dueAt = started + (index / options.rate) * 1000;
      const wait = dueAt - Date.now();
      if (wait > 1) {
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
      const { patient, trigger } = stream.next();
      let message = renderAdt(patient, trigger, `${options.runTag}-${index}`, new Date(), random);
      const client = clients[index % clients.length];
      if (random() < options.malformedShare) {
        message = breakMessage(message, random);
        malformed += 1;
      } else {
        byTrigger[trigger] = (byTrigger[trigger] ?? 0) + 1;
        if (trigger === 'A03' && patient.rostered) {
          rosteredDischarges += 1;
        }
        if (random() < options.resendShare) {
          send(client, message);
          sent += 1;
          resends += 1;
        }
      }
      send(client, message);
      sent += 1;
    }
    await Promise.all([...inFlight]);
  } finally {
    clearInterval(progressTimer);
    await Promise.all(clients.map((client) => client.close()));
  }
  const elapsedSeconds = (Date.now() - started) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    sent,
    elapsedSeconds,
    acks,
    messagesPerSecond: sent / elapsedSeconds,
    latencyMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? 0 },
    byTrigger,
    resends,
    malformed,
    rosteredDischarges,
  };
}

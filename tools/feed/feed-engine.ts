import { MllpClient } from '@sc/mllp';
import { applyTrigger, createPatients, nextTrigger, renderAdt, seededRandom, type Facility, type FeedTrigger, type SyntheticPatient } from './synthetic-hospital';

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

export const DEFAULT_FACILITIES: Facility[] = [
  { id: 'LGH', timeZone: 'America/Chicago', sendsOffsets: true },
  { id: 'NSH', timeZone: 'America/New_York', sendsOffsets: false },
  { id: 'MVM', timeZone: 'America/Denver', sendsOffsets: false },
  { id: 'PHX', timeZone: 'America/Phoenix', sendsOffsets: true },
];

export const DEFAULT_MIX: Record<FeedTrigger, number> = { A01: 25, A02: 10, A03: 30, A08: 25, A11: 5, A13: 5 };

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) {
    return 0;
  }
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function chooseTrigger(mix: Record<FeedTrigger, number>, random: () => number): FeedTrigger {
  const entries = Object.entries(mix) as Array<[FeedTrigger, number]>;
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [trigger, weight] of entries) {
    roll -= weight;
    if (roll <= 0) {
      return trigger;
    }
  }
  return entries[0][0];
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

export function feedPatients(options: Pick<FeedOptions, 'patients' | 'facilities' | 'rosterShare' | 'seed'>): SyntheticPatient[] {
  return createPatients(options.patients, options.facilities, options.rosterShare, seededRandom(options.seed));
}

/**
 * Plays the feed at the requested rate over several MLLP connections (each pipelining), with
 * resends and malformed messages mixed in, and measures every ACK's latency.
 */
export async function runFeed(options: FeedOptions, patients: SyntheticPatient[], onProgress?: (progress: FeedProgress) => void): Promise<FeedSummary> {
  const random = seededRandom(options.seed + 1);
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
      const patient = patients[Math.floor(random() * patients.length)];
      const trigger = nextTrigger(patient, chooseTrigger(options.mix, random));
      applyTrigger(patient, trigger);
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

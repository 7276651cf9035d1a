import os from 'node:os';
import { parseArgs } from 'node:util';
import { Partitioners, type Kafka } from 'kafkajs';
import { createEnvelope, type EventEnvelope, type EventType } from '@sc/contracts';
import { createKafka, provisionTopics } from '@sc/messaging';
import { ADMIN_DATABASE_URL, SystemUnderTest, kafkaBrokers, type ServiceName } from '@sc/testing';
import { describeFeedMix, feedMix, feedMixRecord, type FeedMix } from '../feed/feed-mix';
import { PARTICIPATING_PLAN, seededRandom, type FeedTrigger } from '../feed/synthetic-hospital';
import { ensureInfrastructure } from '../stack';
import { barChartSvg, machine, saveResults } from './bench-results';
import { cpuBudget, describeCpuBudget } from './lib/cpu-budget';
import { benchmarkProcessGroups, startCpuUsage } from './lib/cpu-usage';
import { postgresqlSettings } from './lib/database-probe';
import { BENCH_SERVICE_ENV, SERVICE_ENV_OPTION, serviceEnvFrom } from './lib/service-env';

/** The backlog cycles over this many patients; the mix's attributed share of them (the first ones) are on the roster and covered by the participating plan. */
const PATIENTS = 50_000;
const TARGET_EVENTS_PER_SECOND = 5000;
const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    services: { type: 'string', default: 'pharmacy-alert,care-gap,referral' },
    mix: { type: 'string', default: 'realistic' },
    ...SERVICE_ENV_OPTION,
  },
});
const MIX: FeedMix = feedMix(values.mix);
const ROSTERED = Math.round(PATIENTS * MIX.attributedShare);

const EVENT_OF: Readonly<Record<FeedTrigger, EventType>> = {
  A01: 'encounter.admitted',
  A02: 'encounter.transferred',
  A03: 'encounter.discharged',
  A04: 'encounter.registered',
  A08: 'encounter.updated',
  A11: 'encounter.admission-cancelled',
  A13: 'encounter.discharge-cancelled',
};

/** A hundred triggers in the mix's shares, shuffled once: the backlog's `index`th event has the trigger at index % 100. */
const TRIGGER_CYCLE: FeedTrigger[] = (() => {
  const cycle = (Object.entries(MIX.events) as Array<[FeedTrigger, number]>).flatMap(([trigger, share]) => Array.from({ length: share }, () => trigger));
  const random = seededRandom(42);
  for (let index = cycle.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [cycle[index], cycle[other]] = [cycle[other], cycle[index]];
  }
  return cycle;
})();

const birthDateOf = (patient: number): string => new Date(Date.UTC(1940, 0, 1) + (patient % 20_000) * 86_400_000).toISOString().slice(0, 10);
/**
 * Patients sharing a birth date (every 20,000th) get different given names, as real namesakes
 * are rare: otherwise every unrostered patient would be a partial demographic match for review.
 */
const GIVEN_NAMES = ['ANNA', 'BRUNO', 'CARLA'];
const givenNameOf = (patient: number): string => GIVEN_NAMES[Math.floor(patient / 20_000) % GIVEN_NAMES.length];

/**
 * Patient of the backlog's `index`th event: a stride coprime to PATIENTS walks every patient once
 * per PATIENTS events, so any stretch of the backlog has the roster share of the whole.
 */
const patientOf = (index: number): number => (index * 7919) % PATIENTS;

/** An encounter event of the mix as adt-ingest would publish it, for the backlog's `index`th event (the attributed share of patients rostered). */
function encounterEvent(index: number): EventEnvelope {
  const now = new Date().toISOString();
  const patient = patientOf(index);
  const trigger = TRIGGER_CYCLE[index % TRIGGER_CYCLE.length];
  return createEnvelope(
    EVENT_OF[trigger],
    {
      trigger,
      sendingFacility: 'LGH',
      messageControlId: `CU-${index}`,
      patient: {
        identifiers: [{ value: `CU${patient}`, authority: 'LGH', type: 'MR' }],
        familyName: `CATCHUP${patient}`,
        givenName: givenNameOf(patient),
        birthDate: birthDateOf(patient),
        sex: 'F',
        primaryLanguage: null,
        deceased: false,
        deathAt: null,
      },
      visit: {
        facility: 'LGH',
        visitNumber: `V-CU-${index}`,
        patientClass: 'I',
        location: { pointOfCare: 'MED', room: '1', bed: 'A', facility: 'LGH' },
        attending: null,
        admittedAt: now,
        dischargedAt: trigger === 'A03' ? now : null,
        dischargeDisposition: trigger === 'A03' ? '01' : null,
        dischargedToLocation: null,
      },
      diagnoses: [{ code: 'I25.10', codingSystem: 'I10', type: 'F' }],
      coverage: [{ planId: patient < ROSTERED ? PARTICIPATING_PLAN : 'SYN-COMMERCIAL-PPO', memberId: `M${patient}` }],
    },
    { source: 'adt-ingest', subject: `pt-cu-${patient}`, occurredAt: now, correlationId: `enc:LGH:V-CU-${index}` },
  );
}

async function fillBacklog(kafka: Kafka, topic: string, events: number): Promise<number> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const started = performance.now();
  const batch = 2000;
  for (let offset = 0; offset < events; offset += batch) {
    const messages = Array.from({ length: Math.min(batch, events - offset) }, (_, index) => {
      const event = encounterEvent(offset + index);
      return { key: event.subject, value: JSON.stringify(event), headers: { 'event-type': event.type } };
    });
    await producer.send({ topic, acks: -1, messages });
  }
  await producer.disconnect();
  return events / ((performance.now() - started) / 1000);
}

async function lagOf(kafka: Kafka, groupId: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    return ends.reduce((sum, end) => {
      const offset = committed?.partitions.find((partition) => partition.partition === end.partition)?.offset ?? '-1';
      return sum + Number(end.high) - (offset === '-1' ? Number(end.low) : Number(offset));
    }, 0);
  } finally {
    await admin.disconnect();
  }
}

/** The ceiling: a consumer group that reads every event and does nothing with it. */
async function noopConsumer(kafka: Kafka, topic: string, events: number, groupId: string): Promise<number> {
  const consumer = kafka.consumer({ groupId });
  let seen = 0;
  let started = 0;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        started ||= performance.now();
        seen += batch.messages.length;
        if (seen >= events) {
          resolve();
        }
      },
    });
  });
  await done;
  const rate = events / ((performance.now() - started) / 1000);
  await consumer.disconnect();
  return rate;
}

/** Rosters the mix's attributed share of the backlog's patients, so that share of its discharges becomes a task (and its events). */
async function rosterShare(system: SystemUnderTest): Promise<void> {
  const url = system.service('pharmacy-alert').url('/v1/roster/patients');
  for (let start = 0; start < ROSTERED; start += 2000) {
    const patients = Array.from({ length: Math.min(2000, ROSTERED - start) }, (_, offset) => ({
      pharmacyPatientId: `SP-CU-${start + offset}`,
      familyName: `CATCHUP${start + offset}`,
      givenName: givenNameOf(start + offset),
      birthDate: birthDateOf(start + offset),
      pharmacistId: 'pharm-bench',
      teamId: 'team-bench',
      identifiers: [{ authority: 'LGH', value: `CU${start + offset}`, type: 'MR' }],
    }));
    await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...system.authorization('bench-feed', ['integration']) },
      body: JSON.stringify({ patients }),
    });
  }
}

async function main(): Promise<void> {
  const serviceEnv = { ...BENCH_SERVICE_ENV, ...serviceEnvFrom(values['service-env']) };
  const events = Number(values.events);
  const services = values.services.split(',') as ServiceName[];
  await ensureInfrastructure();
  console.log(describeFeedMix(MIX));
  const result: Record<string, unknown> = {
    benchmark: 'consumer catch-up (replay of a backlog)',
    date: new Date().toISOString(),
    machine: machine(),
    postgresql: await postgresqlSettings(ADMIN_DATABASE_URL),
    mix: feedMixRecord(MIX),
    serviceEnv,
    events,
    services: {},
  };
  const bars: Array<{ label: string; value: number }> = [];
  for (const service of services) {
    const system = await SystemUnderTest.start({ services: [], env: {} });
    const kafka = createKafka({ brokers: kafkaBrokers(), clientId: `catchup-${service}` });
    try {
      await provisionTopics(kafka, system.topics);
      const topic = system.topics.of('encounters');
      // Boot the service once to migrate it and load its roster, then stop it while the backlog builds.
      const withService = await SystemUnderTest.start({ services: [service], env: { KAFKA_TOPIC_PREFIX: system.topicPrefix, ...serviceEnv } });
      if (service === 'pharmacy-alert') {
        await rosterShare(withService);
      }
      await withService.service(service).kill('SIGTERM');
      const produced = await fillBacklog(kafka, topic, events);
      const ceiling = await noopConsumer(kafka, topic, events, `${system.topicPrefix}noop`);
      console.log(`${service}: backlog of ${events} written (${produced.toFixed(0)}/s); do-nothing consumer ${ceiling.toFixed(0)} events/s`);
      await withService.service(service).start();
      // Timed from the moment the service is up (boot is not replay); events it handled while booting are left out.
      const started = performance.now();
      const cpuUsage = startCpuUsage(benchmarkProcessGroups(withService));
      const backlog = await lagOf(kafka, `${system.topicPrefix}${service}`, topic);
      let lag = backlog;
      while (lag > 0) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        lag = await lagOf(kafka, `${system.topicPrefix}${service}`, topic);
        if (process.stderr.isTTY) {
          process.stderr.write(`\r${service}: ${events - lag}/${events}   `);
        }
      }
      const rate = backlog / ((performance.now() - started) / 1000);
      const cpu = cpuBudget(cpuUsage(), rate, os.cpus().length, TARGET_EVENTS_PER_SECOND);
      if (process.stderr.isTTY) {
        process.stderr.write('\n');
      }
      console.log(`${service}: replayed ${events} events at ${rate.toFixed(0)} events/s (${((rate / ceiling) * 100).toFixed(1)}% of the do-nothing ceiling)`);
      console.log(`${service}: ${describeCpuBudget(cpu, 'event', TARGET_EVENTS_PER_SECOND)}`);
      (result.services as Record<string, unknown>)[service] = { eventsPerSecond: Math.round(rate), ceilingEventsPerSecond: Math.round(ceiling), target: TARGET_EVENTS_PER_SECOND, cpu };
      bars.push({ label: service, value: rate }, { label: `${service} ceiling`, value: ceiling });
      await withService.stop();
    } finally {
      // Drops the run's databases and its prefixed topics.
      await system.stop();
    }
  }
  const files = saveResults(`catch-up-${MIX.name}`, result, barChartSvg(`Catch-up of a ${events}-event backlog (events/s)`, '/s', [{ name: 'replay', bars }]));
  console.log(JSON.stringify(result, null, 2));
  console.log(`saved ${files.json} and ${files.svg}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench:catch-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);

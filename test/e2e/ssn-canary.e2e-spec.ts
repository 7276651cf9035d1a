import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import type { Kafka } from 'kafkajs';
import { createKafka } from '@sc/messaging';
import { MllpClient } from '@sc/mllp';
import { SERVICES, SystemUnderTest, databaseUrl, eventually, kafkaBrokers, repoRoot, syntheticAdt } from '@sc/testing';
import { loadRoster, tasksFor } from './roster';

/** A synthetic SSN that appears nowhere else; the forms a leak could take are searched for. */
const CANARY = '987-65-4329';
const CANARY_FORMS = [CANARY, CANARY.replace(/-/g, ''), '987 65 4329'];

async function everyDatabaseValue(url: string): Promise<string> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const { rows: tables } = await db.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
    const dumps: string[] = [];
    for (const { table_name: table } of tables) {
      const { rows } = await db.query(`SELECT * FROM "${table}"`);
      dumps.push(JSON.stringify(rows));
    }
    return dumps.join('\n');
  } finally {
    await db.end();
  }
}

async function everyTopicMessage(kafka: Kafka, prefix: string, groupId: string): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
  const expected = new Map<string, number>();
  for (const topic of topics) {
    const offsets = await admin.fetchTopicOffsets(topic);
    expected.set(topic, offsets.reduce((sum, offset) => sum + Number(offset.high) - Number(offset.low), 0));
  }
  await admin.disconnect();
  const total = [...expected.values()].reduce((sum, count) => sum + count, 0);
  const seen: string[] = [];
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers = Object.entries(message.headers ?? {}).map(([key, value]) => `${key}=${String(value)}`);
      seen.push(`${message.key?.toString() ?? ''} ${message.value?.toString() ?? ''} ${headers.join(' ')}`);
    },
  });
  await eventually(async () => (seen.length >= total ? true : undefined), 30_000);
  await consumer.disconnect();
  return seen.join('\n');
}

describe('minimum necessary: an SSN sent by the hospital is never stored, published or logged', () => {
  let system: SystemUnderTest;

  beforeAll(async () => {
    system = await SystemUnderTest.start({ services: SERVICES });
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  it('finds the canary SSN in no database, no topic and no log of the run', async () => {
    const pharmacyAlert = system.service('pharmacy-alert').url('');
    await loadRoster(pharmacyAlert, [{ pharmacyPatientId: 'SP-CANARY', mrn: 'CANARY1', pharmacistId: 'pharm-ana' }], system.authorization('feed', ['integration']));
    const mllp = new MllpClient({ host: '127.0.0.1', port: system.mllpPort });
    await mllp.connect();
    // In PID-19 and as a PID-3 identifier typed SS, the two places feeds put it.
    const discharge = syntheticAdt({ trigger: 'A03', controlId: 'CANARY-1', mrn: 'CANARY1', visitNumber: 'V-CANARY', ssn: CANARY }).replace(
      '^^^LGH^MR|',
      `^^^LGH^MR~${CANARY}^^^SSA^SS|`,
    );
    expect(discharge).toContain(CANARY);
    const ack = await mllp.send(discharge);
    expect(ack).toContain('MSA|AA|CANARY-1');
    // A broken message carrying the SSN is rejected and stored as a reject: that copy must be masked too.
    await mllp.send(`${discharge.replace('ADT^A03^ADT_A03', 'ADT^A99^ADT_A03').replace('CANARY-1', 'CANARY-2')}`);
    await mllp.close();
    await eventually(async () => ((await tasksFor(pharmacyAlert, 'pharm-ana', system.authorization('pharm-ana', ['pharmacist'], ['team-e2e']))).length > 0 ? true : undefined), 30_000);
    // Let every consumer (care-gap, referral, notifier) finish with the events before searching.
    await new Promise((resolve) => setTimeout(resolve, 3000));

    const haystacks: Array<[string, string]> = [];
    for (const name of SERVICES) {
      haystacks.push([`database of ${name}`, await everyDatabaseValue(databaseUrl(system.runId, name))]);
    }
    haystacks.push(['topics', await everyTopicMessage(createKafka({ brokers: kafkaBrokers(), clientId: `${system.runId}-canary` }), system.topicPrefix, `${system.runId}.canary`)]);
    const logDir = path.join(repoRoot(), '.run', 'test-logs', system.runId);
    for (const file of readdirSync(logDir)) {
      haystacks.push([`log ${file}`, readFileSync(path.join(logDir, file), 'utf8')]);
    }

    // The search is real: the canary's surroundings made it into storage.
    expect(haystacks.find(([where]) => where === 'database of adt-ingest')?.[1]).toContain('CANARY-1');
    const leaks = haystacks.filter(([, text]) => CANARY_FORMS.some((form) => text.includes(form))).map(([where]) => where);
    expect(leaks).toEqual([]);
  }, 180_000);
});

import { createHmac } from 'node:crypto';
import { Partitioners, type Consumer, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { buildAck, decodeHl7Bytes, parseHl7, readAdt } from '@sc/hl7';
import { createKafka } from '@sc/messaging';
import { MllpServer } from '@sc/mllp';

/**
 * The floor pipeline: the least work that still takes an ADT feed durably and hands every
 * message to every consuming service. Same MLLP server and HL7 parser as adt-ingest; each
 * message is stored in one table by a group commit (one INSERT of whatever arrived while the
 * previous commit ran, committed on its own, synchronous_commit as the server has it) and
 * acknowledged after that commit; then produced to Kafka in batches (acks=all); consumer groups
 * read and JSON.parse every event, doing nothing else. Benchmarks run it beside the product, on
 * the same messages, so the ratio of their CPU per message says how far the product is from it.
 *
 * Run as a child process of a benchmark (tools/bench/lib/floor.ts) in one of two roles:
 * `ingest` (MLLP, PostgreSQL, producer) or `consume` (every consumer group, in one process).
 * It answers `{ kind: 'stats' }` over IPC with its counters.
 */

type Stats = { stored: number; commits: number; produced: number; consumed: number[] };

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`${name} is not set`);
  }
  return value;
};

const kafka = createKafka({ brokers: env('KAFKA_BROKERS').split(','), clientId: `floor-${process.argv[2]}` });
const topic = env('FLOOR_TOPIC');
const stats: Stats = { stored: 0, commits: 0, produced: 0, consumed: [] };

interface Pending {
  readonly facility: string;
  readonly controlId: string;
  readonly message: string;
  readonly key: string;
  readonly event: string;
  readonly type: string;
  readonly done: { resolve: () => void; reject: (error: unknown) => void };
}

/** Stores whatever arrived in one statement; the messages of the next batch wait for this commit. */
class GroupCommit {
  private queue: Pending[] = [];
  private committing = false;

  constructor(
    private readonly db: Client,
    private readonly afterCommit: (batch: readonly Pending[]) => void,
  ) {}

  submit(item: Omit<Pending, 'done'>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...item, done: { resolve, reject } });
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.committing || this.queue.length === 0) {
      return;
    }
    this.committing = true;
    const batch = this.queue;
    this.queue = [];
    try {
      // One statement outside a transaction block is its own transaction: one round trip, one WAL flush.
      await this.db.query('INSERT INTO floor_messages (sending_facility, control_id, message) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])', [
        batch.map((item) => item.facility),
        batch.map((item) => item.controlId),
        batch.map((item) => item.message),
      ]);
      stats.stored += batch.length;
      stats.commits += 1;
      this.afterCommit(batch);
      for (const item of batch) {
        item.done.resolve();
      }
    } catch (error) {
      for (const item of batch) {
        item.done.reject(error);
      }
    } finally {
      this.committing = false;
      void this.pump();
    }
  }
}

/** Sends what was committed, one batch in flight at a time, like an outbox relay without the outbox. */
class BatchedProducer {
  private queue: Pending[] = [];
  private sending = false;

  constructor(private readonly producer: Producer) {}

  add(batch: readonly Pending[]): void {
    this.queue.push(...batch);
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.sending || this.queue.length === 0) {
      return;
    }
    this.sending = true;
    const batch = this.queue;
    this.queue = [];
    try {
      await this.producer.send({ topic, acks: -1, messages: batch.map((item) => ({ key: item.key, value: item.event, headers: { 'event-type': item.type } })) });
      stats.produced += batch.length;
    } catch (error) {
      // A benchmark's floor has no retry policy: losing a batch shows as produced < stored.
      console.error(`floor: produce failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.sending = false;
      void this.pump();
    }
  }
}

async function ingest(): Promise<void> {
  const db = new Client({ connectionString: env('FLOOR_DATABASE_URL') });
  await db.connect();
  await db.query(
    'CREATE TABLE IF NOT EXISTS floor_messages (id bigserial PRIMARY KEY, sending_facility text NOT NULL, control_id text NOT NULL, received_at timestamptz NOT NULL DEFAULT now(), message text NOT NULL)',
  );
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const relay = new BatchedProducer(producer);
  const commits = new GroupCommit(db, (batch) => relay.add(batch));
  const refKey = env('FLOOR_PATIENT_REF_KEY');
  const server = new MllpServer(
    async (frame) => {
      const text = decodeHl7Bytes(frame);
      const message = parseHl7(text);
      const adt = readAdt(message);
      const facility = adt.sendingFacility ?? '';
      const identifier = adt.patient.identifiers[0];
      // The Kafka key names the patient without an MRN, as adt-ingest's does.
      const key = `pt-${createHmac('sha256', refKey).update(`${identifier?.assigningAuthority ?? facility}|${identifier?.id ?? ''}`).digest('hex').slice(0, 32)}`;
      const type = `encounter.${adt.triggerEvent}`;
      await commits.submit({ facility, controlId: adt.controlId, message: text, key, type, event: JSON.stringify({ type, subject: key, data: adt }) });
      return buildAck(message, { code: 'AA', controlId: `FLOOR${stats.stored}` });
    },
    { port: 0, maxConcurrentFrames: 16, maxQueuedFrames: 32 },
  );
  await server.listen();
  process.send?.({ kind: 'ready', port: server.port });
  process.once('SIGTERM', () => {
    void Promise.all([server.close(), producer.disconnect()])
      .then(() => db.end())
      .finally(() => process.exit(0));
  });
}

async function consume(): Promise<void> {
  const groups = env('FLOOR_GROUPS').split(',');
  stats.consumed = groups.map(() => 0);
  const consumers: Consumer[] = [];
  for (const [index, groupId] of groups.entries()) {
    const consumer = kafka.consumer({ groupId });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          JSON.parse(message.value?.toString('utf8') ?? 'null');
        }
        stats.consumed[index] += batch.messages.length;
      },
    });
    await joined;
  }
  process.send?.({ kind: 'ready' });
  process.once('SIGTERM', () => {
    void Promise.all(consumers.map((consumer) => consumer.disconnect())).finally(() => process.exit(0));
  });
}

process.on('message', (request: { kind: string; id: number }) => {
  if (request.kind === 'stats') {
    process.send?.({ kind: 'stats', id: request.id, stats });
  }
});

const role = process.argv[2];
(role === 'ingest' ? ingest() : role === 'consume' ? consume() : Promise.reject(new Error(`role must be ingest or consume, not ${role}`))).catch((error: unknown) => {
  console.error(`floor ${role} failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

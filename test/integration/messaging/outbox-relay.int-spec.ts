import { Client } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { Kafka } from 'kafkajs';
import { TopicNames, createEnvelope } from '@sc/contracts';
import {
  CREATE_MESSAGING_TABLES,
  InboxRetentionIndex1765500000000,
  Outbox,
  OutboxPendingQueue1765600000000,
  OutboxRelay,
  createKafka,
  deleteTopicsWithPrefix,
  provisionTopics,
  type OutboxRelayOptions,
} from '@sc/messaging';
import { DataSource, openDatabase } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, eventually, kafkaBrokers, newRunId } from '@sc/testing';
import { purgePublishedOutbox } from '../../../libs/messaging/src/messaging-retention';

class MessagingTables1700000000001 implements MigrationInterface {
  name = 'MessagingTables1700000000001';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(CREATE_MESSAGING_TABLES);
  }
  async down(): Promise<void> {}
}

function requestFor(subject: string, index: number) {
  return createEnvelope(
    'notification.requested',
    { notificationId: `${index}`, recipientId: 'u', teamId: null, title: `n${index}`, urgency: 'routine', dueAt: null, link: '/x', itemType: 't', itemId: `${index}` },
    { source: 'test', subject, occurredAt: new Date().toISOString(), correlationId: `c${index}` },
  );
}

describe(OutboxRelay.name, () => {
  const runId = newRunId();
  const topics = new TopicNames(`${runId}.`);
  const url = databaseUrl(runId, 'relay');
  let kafka: Kafka;
  let dataSource: DataSource;

  beforeAll(async () => {
    kafka = createKafka({ brokers: kafkaBrokers(), clientId: runId });
    await provisionTopics(kafka, topics);
    dataSource = await openDatabase({
      url,
      serviceName: 'relay-test',
      migrations: [MessagingTables1700000000001, InboxRetentionIndex1765500000000, OutboxPendingQueue1765600000000],
      poolSize: 4,
    });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await dropRunDatabases(runId);
    await deleteTopicsWithPrefix(kafka, `${runId}.`);
  });

  /** Runs a relay of this test's database with `options` while `work` runs, and stops it after. */
  const withRelay = async <T>(options: Partial<OutboxRelayOptions>, work: (relay: OutboxRelay) => Promise<T>): Promise<T> => {
    const relay = new OutboxRelay(kafka, { databaseUrl: url, serviceName: 'relay-test', pollIntervalMs: 50, ...options });
    relay.start();
    try {
      return await work(relay);
    } finally {
      await relay.stop();
    }
  };

  const queued = async (): Promise<number> => Number((await dataSource.query('SELECT count(*) AS count FROM outbox_pending'))[0].count);

  it('publishes committed rows in commit order per patient key, takes them off the queue, and leaves rolled-back rows out', async () => {
    const outbox = new Outbox(topics);
    const events = Array.from({ length: 60 }, (_, index) => requestFor(`pt-${index % 3}`, index));
    for (let start = 0; start < events.length; start += 10) {
      await dataSource.transaction((manager) => outbox.append(manager, ...events.slice(start, start + 10)));
    }
    await dataSource
      .transaction(async (manager) => {
        await outbox.append(manager, requestFor('pt-0', 999));
        throw new Error('roll back');
      })
      .catch(() => undefined);

    const received: Array<{ key: string; title: string; traceparent: string }> = [];
    const consumer = kafka.consumer({ groupId: `${runId}.reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: topics.of('notificationRequests'), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const event = JSON.parse(message.value?.toString() ?? '{}') as { data: { title: string } };
        received.push({ key: message.key?.toString() ?? '', title: event.data.title, traceparent: String(message.headers?.traceparent ?? '') });
      },
    });

    const relay = new OutboxRelay(kafka, { databaseUrl: url, serviceName: 'relay-test', pollIntervalMs: 100 });
    relay.start();
    try {
      await eventually(async () => (received.length >= 60 ? true : undefined), 30_000);
      await eventually(async () => ((await relay.backlog()) === 0 ? true : undefined));
    } finally {
      await relay.stop();
      await consumer.disconnect();
    }

    expect(received).toHaveLength(60);
    expect(await queued()).toBe(0);
    expect(Number((await dataSource.query('SELECT count(*) AS count FROM outbox'))[0].count)).toBe(60);
    expect(received.some((message) => message.title === 'n999')).toBe(false);
    for (const key of ['pt-0', 'pt-1', 'pt-2']) {
      const titles = received.filter((message) => message.key === key).map((message) => Number(message.title.slice(1)));
      expect(titles).toEqual([...titles].sort((a, b) => a - b));
      expect(titles).toHaveLength(20);
    }
    expect(received[0].traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  }, 60_000);

  it('lets only one relay per database publish (advisory-lock leader)', async () => {
    const first = new OutboxRelay(kafka, { databaseUrl: url, serviceName: 'relay-test', pollIntervalMs: 50 });
    const second = new OutboxRelay(kafka, { databaseUrl: url, serviceName: 'relay-test', pollIntervalMs: 50 });
    first.start();
    await eventually(async () => (first.isLeader ? true : undefined));
    second.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(second.isLeader).toBe(false);
    await first.stop();
    await eventually(async () => (second.isLeader ? true : undefined), 5_000);
    await second.stop();
  }, 30_000);

  it('keeps each poll to a few pages however many published rows vacuum has not yet cleared', async () => {
    // Published rows leave dead entries in the queue's index until vacuum; keep vacuum away so they stay.
    await dataSource.query('ALTER TABLE outbox SET (autovacuum_enabled = false)');
    await dataSource.query('ALTER TABLE outbox_pending SET (autovacuum_enabled = false)');
    const outbox = new Outbox(topics);
    const events = Array.from({ length: 3000 }, (_, index) => requestFor(`pt-poll-${index % 7}`, 10_000 + index));
    for (let start = 0; start < events.length; start += 500) {
      await dataSource.transaction((manager) => outbox.append(manager, ...events.slice(start, start + 500)));
    }
    const outboxPagesRead = async (): Promise<number> =>
      Number(
        (await dataSource.query("SELECT sum(heap_blks_hit + coalesce(heap_blks_read, 0)) AS pages FROM pg_statio_user_tables WHERE relname IN ('outbox', 'outbox_pending')"))[0]
          .pages,
      );
    try {
      const pagesPerPoll = await withRelay({ pollIntervalMs: 100 }, async () => {
        await eventually(async () => ((await queued()) === 0 ? true : undefined), 30_000);
        // PostgreSQL publishes a session's table statistics late (at least a second apart, when it
        // idles), so wait until the publishing's own reads have all arrived: the count then stays put
        // while the relay polls, if polls read no table pages.
        let before = await outboxPagesRead();
        for (let waited = 0, settled = false; !settled && waited < 15_000; waited += 1500) {
          await new Promise((resolve) => setTimeout(resolve, 1500));
          const now = await outboxPagesRead();
          settled = now === before;
          before = now;
        }
        // About thirty polls at 100 ms.
        await new Promise((resolve) => setTimeout(resolve, 3000));
        return ((await outboxPagesRead()) - before) / 30;
      });
      expect(pagesPerPoll).toBeLessThan(10);
    } finally {
      await dataSource.query('ALTER TABLE outbox RESET (autovacuum_enabled)');
      await dataSource.query('ALTER TABLE outbox_pending RESET (autovacuum_enabled)');
    }
  }, 60_000);

  it('deletes published rows created past retention, oldest first across batches, and keeps recent and queued ones', async () => {
    await dataSource.query('TRUNCATE outbox, outbox_pending');
    const outbox = new Outbox(topics);
    const events = Array.from({ length: 12_000 }, (_, index) => requestFor(`pt-retention-${index % 5}`, 20_000 + index));
    for (let start = 0; start < events.length; start += 2000) {
      await dataSource.transaction((manager) => outbox.append(manager, ...events.slice(start, start + 2000)));
    }
    // The first 11,000 were created four days ago and are published, except one still queued; the rest are recent and published.
    const [{ first }] = (await dataSource.query('SELECT min(seq)::text AS first FROM outbox')) as Array<{ first: string }>;
    const stuck = (BigInt(first) + 7000n).toString();
    await dataSource.query(`UPDATE outbox SET created_at = now() - interval '4 days' WHERE seq < $1::bigint + 11000`, [first]);
    await dataSource.query('DELETE FROM outbox_pending WHERE seq <> $1::bigint', [stuck]);
    const retentionMs = 72 * 3_600_000;

    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      expect(await purgePublishedOutbox(client, retentionMs, () => true)).toBe(10_999);
    } finally {
      await client.end();
    }
    const left: Array<{ seq: string }> = await dataSource.query('SELECT seq::text FROM outbox ORDER BY seq');
    expect(left).toHaveLength(1001);
    expect(left[0].seq).toBe(stuck);

    // The relay publishes the old row, after which its purge removes it.
    const purged = await withRelay({ retentionMs, purgeIntervalMs: 100 }, async (relay) => {
      await eventually(async () => (relay.purgedCount >= 1 ? true : undefined), 30_000);
      return { published: relay.publishedCount, purged: relay.purgedCount };
    });
    expect(purged).toEqual({ published: 1, purged: 1 });
    expect(Number((await dataSource.query('SELECT count(*) AS count FROM outbox'))[0].count)).toBe(1000);
    expect(await queued()).toBe(0);
  }, 60_000);

  it('drops a queued sequence number whose outbox row is gone and publishes the rows after it', async () => {
    const outbox = new Outbox(topics);
    await dataSource.transaction((manager) => outbox.append(manager, requestFor('pt-orphan', 30_000), requestFor('pt-orphan', 30_001)));
    const [{ gone }] = (await dataSource.query('SELECT min(seq)::text AS gone FROM outbox_pending')) as Array<{ gone: string }>;
    await dataSource.query('DELETE FROM outbox WHERE seq = $1::bigint', [gone]);

    const published = await withRelay({}, async (relay) => {
      await eventually(async () => ((await queued()) === 0 ? true : undefined), 30_000);
      return relay.publishedCount;
    });
    expect(published).toBe(1);
  }, 60_000);

  it('queues the rows an earlier release left unpublished when the queue is introduced', async () => {
    const legacyUrl = databaseUrl(runId, 'relay-legacy');
    const before = await openDatabase({ url: legacyUrl, serviceName: 'relay-legacy', migrations: [MessagingTables1700000000001, InboxRetentionIndex1765500000000], poolSize: 2 });
    try {
      await before.query(
        `INSERT INTO outbox (event_id, event_type, topic, message_key, payload, published_at)
         SELECT gen_random_uuid(), 'notification.requested', 't', 'k', '{}', CASE WHEN n % 3 = 0 THEN NULL ELSE now() END
         FROM generate_series(1, 30) AS n`,
      );
    } finally {
      await before.destroy();
    }
    const after = await openDatabase({
      url: legacyUrl,
      serviceName: 'relay-legacy',
      migrations: [MessagingTables1700000000001, InboxRetentionIndex1765500000000, OutboxPendingQueue1765600000000],
      poolSize: 2,
    });
    try {
      const [{ queuedCount, unqueuedCount, column }] = (await after.query(
        `SELECT (SELECT count(*)::int FROM outbox_pending p JOIN outbox o USING (seq) WHERE o.message_key = 'k') AS "queuedCount",
                (SELECT count(*)::int FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM outbox_pending p WHERE p.seq = o.seq)) AS "unqueuedCount",
                (SELECT count(*)::int FROM information_schema.columns WHERE table_name = 'outbox' AND column_name = 'published_at') AS column`,
      )) as Array<{ queuedCount: number; unqueuedCount: number; column: number }>;
      expect({ queuedCount, unqueuedCount, column }).toEqual({ queuedCount: 10, unqueuedCount: 20, column: 0 });
    } finally {
      await after.destroy();
    }
  }, 60_000);

  it('deletes inbox rows past the inbox retention and keeps the rest', async () => {
    await dataSource.query(
      `INSERT INTO inbox (event_id, consumer, event_type, processed_at)
       SELECT gen_random_uuid(), 'svc', 'encounter.discharged', now() - make_interval(days => CASE WHEN n <= 6000 THEN 50 ELSE 1 END)
       FROM generate_series(1, 7000) AS n`,
    );
    const purged = await withRelay({ inboxRetentionMs: 45 * 86_400_000, purgeIntervalMs: 100 }, async (relay) => {
      await eventually(async () => (relay.inboxPurgedCount >= 6000 ? true : undefined), 30_000);
      return relay.inboxPurgedCount;
    });
    const [{ kept, oldest }] = (await dataSource.query(`SELECT count(*)::int AS kept, min(processed_at) > now() - interval '2 days' AS oldest FROM inbox WHERE consumer = 'svc'`)) as Array<{
      kept: number;
      oldest: boolean;
    }>;
    expect({ purged, kept, oldest }).toEqual({ purged: 6000, kept: 1000, oldest: true });
  }, 60_000);
});

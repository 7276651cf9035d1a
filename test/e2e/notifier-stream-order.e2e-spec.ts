import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { SseClient, SystemUnderTest, databaseUrl } from '@sc/testing';

/** Inserts a notification and its stream delivery in the caller's open transaction. */
async function insertStreamDelivery(db: Client, id: string, recipient: string): Promise<void> {
  await db.query(
    `INSERT INTO notifications (id, title, urgency, link, item_type, item_id, source_event_id, correlation_id, subject)
     VALUES ($1, 'Patient discharged: call and reconcile medications', 'urgent', '/v1/tasks/x', 'pharmacy-task', $1, $2, 'c', 's')`,
    [id, randomUUID()],
  );
  await db.query(`INSERT INTO deliveries (notification_id, channel, recipient, status) VALUES ($1, 'sse', $2, 'pending')`, [id, recipient]);
}

describe('notifier stream: deliveries committed out of sequence order', () => {
  let system: SystemUnderTest;

  beforeAll(async () => {
    system = await SystemUnderTest.start({ services: ['notifier'], env: { SSE_RECONCILE_MS: '300' } });
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  it('still sends a delivery whose lower sequence number became visible after a higher one was sent', async () => {
    const feed = await SseClient.open(system.service('notifier').url('/v1/streams/users/pharm-order'), system.authorization('pharm-order', ['pharmacist']));
    const slow = new Client({ connectionString: databaseUrl(system.runId, 'notifier') });
    const fast = new Client({ connectionString: databaseUrl(system.runId, 'notifier') });
    await slow.connect();
    await fast.connect();
    try {
      const first = `first-${randomUUID()}`;
      const second = `second-${randomUUID()}`;
      await slow.query('BEGIN');
      await insertStreamDelivery(slow, first, 'user:pharm-order');
      await fast.query('BEGIN');
      await insertStreamDelivery(fast, second, 'user:pharm-order');
      await fast.query('COMMIT');
      await feed.waitFor((event) => event.data.includes(second), 10_000);
      await slow.query('COMMIT');
      await feed.waitFor((event) => event.data.includes(first), 10_000);
      const ids = feed.events.map((event) => Number(event.id));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    } finally {
      feed.close();
      await slow.end();
      await fast.end();
    }
  }, 60_000);
});

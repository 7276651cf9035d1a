import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { openDatabase } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, newRunId } from '@sc/testing';
import { DeliveryQueueRepository } from '../../../apps/notifier/src/deliveries/delivery-queue.repository';
import { TimerRepository } from '../../../apps/notifier/src/escalation/timer.repository';
import { MIGRATIONS } from '../../../apps/notifier/src/migrations';
import type { PlannedDelivery } from '../../../apps/notifier/src/notifications/delivery-plan';
import { DeliveryRepository } from '../../../apps/notifier/src/notifications/delivery.repository';
import { NotificationRepository, type NewNotification, type NotificationRecord } from '../../../apps/notifier/src/notifications/notification.repository';
import { streamContentOf } from '../../../apps/notifier/src/notifications/stream-item';

describe(DeliveryQueueRepository.name, () => {
  const runId = newRunId();
  let dataSource: DataSource;
  let notifications: NotificationRepository;
  let deliveries: DeliveryRepository;
  let queue: DeliveryQueueRepository;
  let timers: TimerRepository;

  beforeAll(async () => {
    dataSource = await openDatabase({ url: databaseUrl(runId, 'notifier-queue'), serviceName: 'notifier-queue', migrations: MIGRATIONS, poolSize: 6 });
    notifications = new NotificationRepository(dataSource);
    deliveries = new DeliveryRepository(dataSource);
    queue = new DeliveryQueueRepository(dataSource);
    timers = new TimerRepository(dataSource);
  }, 30_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await dropRunDatabases(runId);
  });

  beforeEach(async () => {
    await dataSource.query('TRUNCATE deliveries, timers, receipts, notifications, webhook_endpoints, recipients CASCADE');
  });

  /** Stores a pharmacy-task notification (routine, to nurse-1, unless `fields` says otherwise) and answers it as stored. */
  async function storeNotification(manager: EntityManager, id: string, fields: Partial<NewNotification> = {}): Promise<NotificationRecord> {
    const stored = await notifications.insert(manager, {
      id,
      title: 'Patient discharged: call and reconcile medications',
      urgency: 'routine',
      dueAt: null,
      link: `/v1/tasks/${id}`,
      itemType: 'pharmacy-task',
      itemId: id,
      recipientId: 'nurse-1',
      teamId: null,
      escalationOf: null,
      escalation: null,
      sourceEventId: randomUUID(),
      correlationId: 'enc:LGH:V1',
      subject: 'pt-ref',
      ...fields,
    });
    if (!stored) {
      throw new Error('the notification was not stored');
    }
    return stored;
  }

  async function notificationWith(planned: Array<Partial<PlannedDelivery>>): Promise<string> {
    const id = randomUUID();
    await dataSource.transaction(async (manager) => {
      const stored = await storeNotification(manager, id);
      await deliveries.createDeliveries(
        manager,
        streamContentOf(stored),
        planned.map((delivery) => ({ channel: 'webhook', recipient: 'user:nurse-1', deferredUntil: null, ...delivery })),
      );
    });
    return id;
  }

  it('never hands the same delivery to two instances claiming at once, and together they get every due one', async () => {
    for (let index = 0; index < 60; index += 1) {
      await notificationWith([{ channel: index % 2 === 0 ? 'webhook' : 'email' }]);
    }
    const instanceA = new DeliveryQueueRepository(dataSource);
    const instanceB = new DeliveryQueueRepository(dataSource);
    const claimedBy = { a: [] as string[], b: [] as string[] };
    for (;;) {
      const [a, b] = await Promise.all([instanceA.claimDue(7, 60_000), instanceB.claimDue(7, 60_000)]);
      claimedBy.a.push(...a.map((delivery) => delivery.seq));
      claimedBy.b.push(...b.map((delivery) => delivery.seq));
      if (a.length === 0 && b.length === 0) {
        break;
      }
    }
    const all = [...claimedBy.a, ...claimedBy.b];
    expect(new Set(all).size).toBe(60);
    expect(all).toHaveLength(60);
  });

  it('gives a claim whose sender died back after the lease, and never a recorded success', async () => {
    await notificationWith([{}]);
    const [first] = await queue.claimDue(10, 300);
    expect(first.attempts).toBe(1);
    expect(await queue.claimDue(10, 300)).toHaveLength(0);

    await new Promise((resolve) => setTimeout(resolve, 350));
    const [again] = await queue.claimDue(10, 300);
    expect(again.seq).toBe(first.seq);
    expect(again.attempts).toBe(2);

    await queue.markDelivered(again.seq);
    await queue.reschedule(first.seq, first.attempts, new Date(), 'HTTP_503'); // the first, late sender reports a failure
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await queue.claimDue(10, 300)).toHaveLength(0);
    const [record] = await deliveries.list({ limit: 10 });
    expect(record).toMatchObject({ status: 'delivered', attempts: 2, lastError: null });
  });

  it('holds back deliveries of an endpoint whose circuit is open, without using up attempts', async () => {
    await dataSource.query(`INSERT INTO recipients (id, roles) VALUES ('nurse-1', '{nurse}')`);
    await dataSource.query(
      `INSERT INTO webhook_endpoints (recipient_id, url, secret, consecutive_failures, open_until) VALUES ('nurse-1', 'http://x', 's', 5, now() + interval '1 hour')`,
    );
    await notificationWith([{ channel: 'webhook' }, { channel: 'email' }]);
    const claimed = await queue.claimDue(10, 60_000);
    expect(claimed.map((delivery) => delivery.channel)).toEqual(['email']);

    await dataSource.query(`UPDATE webhook_endpoints SET open_until = now() - interval '1 second'`);
    expect((await queue.claimDue(10, 60_000)).map((delivery) => [delivery.channel, delivery.attempts])).toEqual([['webhook', 1]]);
  });

  it('does not claim a delivery held back by quiet hours before they end', async () => {
    await notificationWith([{ deferredUntil: new Date(Date.now() + 60 * 60 * 1000) }]);
    expect(await queue.claimDue(10, 60_000)).toHaveLength(0);
  });

  it('answers the new stream items with the notification as stored, in delivery order, and none for deliveries already stored', async () => {
    const id = randomUUID();
    const sse = (recipient: `user:${string}`): PlannedDelivery => ({ channel: 'sse', recipient, deferredUntil: null });
    const [first, again] = await dataSource.transaction(async (manager) => {
      const stored = await storeNotification(manager, id, {
        urgency: 'urgent',
        dueAt: new Date('2026-12-06T10:00:00Z'),
        recipientId: null,
        teamId: 'team-a',
        correlationId: 'enc:LGH:V2',
        subject: 'pt-items',
      });
      const planned = [sse('user:ph-1'), { channel: 'webhook', recipient: 'user:ph-1', deferredUntil: null } as const, sse('user:ph-2')];
      return [await deliveries.createDeliveries(manager, streamContentOf(stored), planned), await deliveries.createDeliveries(manager, streamContentOf(stored), planned)];
    });
    const [row] = await dataSource.query<Array<{ created_at: Date }>>('SELECT created_at FROM notifications WHERE id = $1', [id]);
    const content = {
      notificationId: id,
      title: 'Patient discharged: call and reconcile medications',
      urgency: 'urgent',
      dueAt: '2026-12-06T10:00:00.000Z',
      link: `/v1/tasks/${id}`,
      itemType: 'pharmacy-task',
      itemId: id,
      createdAt: row.created_at.toISOString(),
    };
    expect(first.streamItems.map(({ recipient, item }) => ({ recipient, item: { ...item, seq: undefined } }))).toEqual([
      { recipient: 'user:ph-1', item: { ...content, seq: undefined } },
      { recipient: 'user:ph-2', item: { ...content, seq: undefined } },
    ]);
    const [firstSeq, secondSeq] = first.streamItems.map(({ item }) => BigInt(item.seq));
    expect(firstSeq < secondSeq).toBe(true);
    expect(first.queued).toBe(1);
    expect(again).toEqual({ streamItems: [], queued: 0, deferred: [] });
  });

  it('stores one delivery per notification, channel and recipient however often it is planned', async () => {
    const id = await notificationWith([{}, {}, { channel: 'email' }]);
    const stored = await notifications.find(id);
    if (!stored) {
      throw new Error('the notification was not stored');
    }
    await dataSource.transaction((manager) => deliveries.createDeliveries(manager, streamContentOf(stored), [{ channel: 'webhook', recipient: 'user:nurse-1', deferredUntil: null }]));
    expect((await deliveries.list({ notificationId: id, limit: 10 })).map((delivery) => delivery.channel).sort()).toEqual(['email', 'webhook']);
  });

  it('lets each due timer be fired by exactly one of two instances, and never a cancelled one', async () => {
    const ids = await Promise.all([notificationWith([]), notificationWith([]), notificationWith([])]);
    await dataSource.transaction(async (manager) => {
      for (const id of ids) {
        await timers.schedule(manager, 'escalation', id, new Date(Date.now() - 1000));
      }
      await timers.cancelFor(manager, ids[2]);
    });
    const fired: string[] = [];
    const fireOne = () =>
      dataSource.transaction(async (manager) => {
        const timer = await timers.claimDue(manager);
        if (timer) {
          fired.push(timer.notificationId);
          await new Promise((resolve) => setTimeout(resolve, 100)); // both transactions overlap
          await timers.settle(manager, timer.id, 'fired');
        }
      });
    await Promise.all([fireOne(), fireOne()]);
    await fireOne();
    expect(fired.sort()).toEqual([ids[0], ids[1]].sort());
  });
});

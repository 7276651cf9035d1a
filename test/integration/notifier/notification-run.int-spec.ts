import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createEnvelope, type EventEnvelope } from '@sc/contracts';
import { claimInboxForRun } from '@sc/messaging';
import { MetricsRegistry } from '@sc/observability';
import { UnitOfWork, openDatabase, type DataSource } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, newRunId, recordStatements } from '@sc/testing';
import type { DeliveryWorker } from '../../../apps/notifier/src/deliveries/delivery.worker';
import { TimerRepository } from '../../../apps/notifier/src/escalation/timer.repository';
import { NotificationMetrics } from '../../../apps/notifier/src/metrics/notification-metrics';
import { MIGRATIONS } from '../../../apps/notifier/src/migrations';
import { DeliveryDispatch } from '../../../apps/notifier/src/notifications/delivery-dispatch';
import { DeliveryRepository } from '../../../apps/notifier/src/notifications/delivery.repository';
import { NotificationRepository } from '../../../apps/notifier/src/notifications/notification.repository';
import { NotificationService, type AcceptResult } from '../../../apps/notifier/src/notifications/notification.service';
import { RecipientRepository } from '../../../apps/notifier/src/recipients/recipient.repository';

describe('notifier requests prepared for a run', () => {
  const runId = newRunId();
  let dataSource: DataSource;
  let unitOfWork: UnitOfWork;
  let redis: Redis;
  let service: NotificationService;
  let wakes = 0;

  beforeAll(async () => {
    dataSource = await openDatabase({ url: databaseUrl(runId, 'notifier-run'), serviceName: 'notifier-run', migrations: MIGRATIONS, poolSize: 4 });
    unitOfWork = new UnitOfWork(dataSource);
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const recipients = new RecipientRepository(dataSource, unitOfWork);
    // The send worker is woken after commit; these tests look at what was stored, not at sending.
    const worker = { wake: () => void (wakes += 1) } as unknown as DeliveryWorker;
    const dispatch = new DeliveryDispatch(recipients, new DeliveryRepository(dataSource), worker, new NotificationMetrics(dataSource, new MetricsRegistry()), redis);
    service = new NotificationService(unitOfWork, new NotificationRepository(dataSource), dispatch, new TimerRepository(dataSource));
    await recipients.upsert({ id: `pharm-${runId}`, displayName: null, roles: ['pharmacist'], teams: [], active: true });
    await recipients.upsert({ id: `nurse-a-${runId}`, displayName: null, roles: ['nurse'], teams: [`nurses-${runId}`], active: true });
    await recipients.upsert({ id: `nurse-b-${runId}`, displayName: null, roles: ['nurse'], teams: [`nurses-${runId}`], active: true });
    await recipients.upsertPreferences({ recipientId: `nurse-a-${runId}`, channels: ['sse', 'webhook'], email: null, quietHours: null });
  }, 30_000);

  afterAll(async () => {
    redis?.disconnect();
    await dataSource?.destroy();
    await dropRunDatabases(runId);
  });

  const request = (notificationId: string, to: { recipientId?: string; teamId?: string }): EventEnvelope<'notification.requested'> =>
    createEnvelope(
      'notification.requested',
      {
        notificationId,
        recipientId: to.recipientId ?? null,
        teamId: to.teamId ?? null,
        title: 'Patient discharged: call and reconcile medications',
        urgency: 'routine',
        dueAt: null,
        link: `/v1/tasks/${notificationId}`,
        itemType: 'pharmacy-task',
        itemId: notificationId,
      },
      { source: 'pharmacy-alert', subject: 'pt-ref', occurredAt: new Date().toISOString(), correlationId: 'enc:LGH:V1' },
    );

  /** Each of `ids` with the deliveries stored for it: channel, recipient, whether queued to send. */
  const deliveriesOf = async (ids: readonly string[]): Promise<string[][]> => {
    const rows: Array<{ notification_id: string; line: string }> = await dataSource.query(
      `SELECT notification_id, channel || ' ' || recipient || ' ' || (next_attempt_at IS NOT NULL)::text AS line
       FROM deliveries WHERE notification_id = ANY($1::text[]) ORDER BY seq`,
      [ids],
    );
    return ids.map((id) => rows.filter((row) => row.notification_id === id).map((row) => row.line.replace(runId, '<run>')));
  };

  /** The run's requests: to a person, to a team, the first id again, and an id stored before. */
  const runOf = (ids: { person: string; team: string; earlier: string }): Array<EventEnvelope<'notification.requested'>> => [
    request(ids.person, { recipientId: `pharm-${runId}` }),
    request(ids.team, { teamId: `nurses-${runId}` }),
    request(ids.person, { recipientId: `pharm-${runId}` }),
    request(ids.earlier, { recipientId: `pharm-${runId}` }),
  ];

  const newIds = () => ({ person: randomUUID(), team: randomUUID(), earlier: randomUUID() });

  it('stores a run of requests in two statements, with the deliveries and answers each would get alone', async () => {
    const alone = newIds();
    const inRun = newIds();
    for (const ids of [alone, inRun]) {
      await service.accept(request(ids.earlier, { recipientId: `pharm-${runId}` }));
    }
    const aloneAnswers: AcceptResult[] = [];
    for (const event of runOf(alone)) {
      aloneAnswers.push(await service.accept(event));
    }

    const events = runOf(inRun);
    const statements: string[] = [];
    const wakesBefore = wakes;
    const runAnswers = await unitOfWork.run(async (manager) => {
      await claimInboxForRun(manager, 'notifier', events);
      await recordStatements(manager, statements);
      await service.prepareRun(manager, events);
      const answers: AcceptResult[] = [];
      for (const event of events) {
        answers.push(await service.accept(event));
      }
      return answers;
    });

    expect(runAnswers).toEqual(['accepted', 'accepted', 'duplicate-notification', 'duplicate-notification']);
    expect(runAnswers).toEqual(aloneAnswers);
    expect(statements.filter((text) => /notification|deliver/.test(text))).toEqual(['notifier:insert-notifications', 'notifier:insert-deliveries-of-many']);
    const runDeliveries = await deliveriesOf([inRun.person, inRun.team]);
    expect(runDeliveries).toEqual(await deliveriesOf([alone.person, alone.team]));
    expect(runDeliveries[1]).toEqual([`sse team:nurses-<run> false`, `webhook user:nurse-a-<run> true`]);
    expect(wakes).toBe(wakesBefore + 1);
  });

  it('leaves a request that does not parse to its handler, and prepares the rest', async () => {
    const good = randomUUID();
    const unreadable = request(randomUUID(), { recipientId: 'not a valid id!' });
    const events = [unreadable, request(good, { recipientId: `pharm-${runId}` })];
    await unitOfWork.run(async (manager) => {
      await claimInboxForRun(manager, 'notifier', events);
      await service.prepareRun(manager, events);
    });
    expect(await deliveriesOf([good, unreadable.data.notificationId])).toEqual([[`sse user:pharm-<run> false`], []]);
    await expect(service.accept(unreadable)).rejects.toThrow('recipientId');
  });
});

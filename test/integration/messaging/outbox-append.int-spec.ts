import { randomUUID } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TopicNames, createEnvelope } from '@sc/contracts';
import { CREATE_MESSAGING_TABLES, Outbox, OutboxPendingQueue1765600000000 } from '@sc/messaging';
import { UnitOfWork, openDatabase, type DataSource } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, newRunId, recordStatements } from '@sc/testing';

class MessagingTables1700000000004 implements MigrationInterface {
  name = 'MessagingTables1700000000004';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(CREATE_MESSAGING_TABLES);
  }
  async down(): Promise<void> {}
}

const request = (title: string, id: string = randomUUID()) =>
  createEnvelope(
    'notification.requested',
    { notificationId: id, recipientId: 'u', teamId: null, title, urgency: 'routine', dueAt: null, link: '/x', itemType: 't', itemId: id },
    { source: 'test', subject: 'pt-1', occurredAt: new Date().toISOString(), correlationId: 'c', id },
  );

describe('Outbox appends in a UnitOfWork transaction', () => {
  const runId = newRunId();
  const outbox = new Outbox(new TopicNames(`${runId}.`));
  let dataSource: DataSource;
  let unitOfWork: UnitOfWork;
  let statements: string[];

  beforeAll(async () => {
    dataSource = await openDatabase({
      url: databaseUrl(runId, 'outbox'),
      serviceName: 'outbox-append-test',
      migrations: [MessagingTables1700000000004, OutboxPendingQueue1765600000000],
      poolSize: 2,
    });
    unitOfWork = new UnitOfWork(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await dropRunDatabases(runId);
  });

  beforeEach(async () => {
    statements = [];
    await dataSource.query('TRUNCATE outbox, outbox_pending');
  });



  const outboxTitles = async (): Promise<string[]> =>
    ((await dataSource.query('SELECT payload FROM outbox ORDER BY seq')) as Array<{ payload: string }>).map((row) => (JSON.parse(row.payload) as { data: { title: string } }).data.title);

  it('writes every append of the transaction in one statement at commit, in the order appended', async () => {
    await unitOfWork.run(async (manager) => {
      await recordStatements(manager, statements);
      await outbox.append(manager, request('first'));
      // A nested run (the next handler of a shared run) joins the same transaction and its deferral.
      await unitOfWork.run((joined) => outbox.append(joined, request('second'), request('third')));
      await outbox.append(manager, request('fourth'));
      const [{ count }] = (await manager.query('SELECT count(*)::int AS count FROM outbox')) as Array<{ count: number }>;
      expect(count).toBe(0);
    });
    expect(statements.filter((text) => text.startsWith('messaging:'))).toEqual(['messaging:outbox-append']);
    expect(await outboxTitles()).toEqual(['first', 'second', 'third', 'fourth']);
    const [{ unqueued }] = (await dataSource.query(
      'SELECT count(*)::int AS unqueued FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM outbox_pending p WHERE p.seq = o.seq)',
    )) as Array<{ unqueued: number }>;
    expect(unqueued).toBe(0);
  });

  it('writes nothing when the transaction rolls back', async () => {
    await expect(
      unitOfWork.run(async (manager) => {
        await outbox.append(manager, request('rolled back'));
        throw new Error('a handler failed');
      }),
    ).rejects.toThrow('a handler failed');
    await unitOfWork.run((manager) => outbox.append(manager, request('after')));
    expect(await outboxTitles()).toEqual(['after']);
  });

  it('fails the whole transaction when the append at commit fails, leaving none of its rows', async () => {
    const id = randomUUID();
    await unitOfWork.run((manager) => outbox.append(manager, request('original', id)));
    await expect(
      unitOfWork.run(async (manager) => {
        await manager.query(`INSERT INTO inbox (event_id, consumer, event_type) VALUES ($1, 'svc', 'notification.requested')`, [randomUUID()]);
        await outbox.append(manager, request('fresh'), request('duplicate id', id));
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await outboxTitles()).toEqual(['original']);
    const [{ count }] = (await dataSource.query('SELECT count(*)::int AS count FROM inbox')) as Array<{ count: number }>;
    expect(count).toBe(0);
  });

  it('writes at once in a transaction that is not a UnitOfWork, where the caller may read it back', async () => {
    await dataSource.transaction(async (manager) => {
      await outbox.append(manager, request('immediate'));
      const [{ count }] = (await manager.query('SELECT count(*)::int AS count FROM outbox')) as Array<{ count: number }>;
      expect(count).toBe(1);
    });
  });
});

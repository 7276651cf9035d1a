import { randomUUID } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { EventEnvelope } from '@sc/contracts';
import { CREATE_MESSAGING_TABLES, claimInbox, claimInboxForRun, soleFreshEventsInRun } from '@sc/messaging';
import { UnitOfWork, openDatabase, type DataSource } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, newRunId, recordStatements } from '@sc/testing';

class MessagingTables1700000000003 implements MigrationInterface {
  name = 'MessagingTables1700000000003';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(CREATE_MESSAGING_TABLES);
  }
  async down(): Promise<void> {}
}

const event = (): { id: string; type: 'encounter.discharged' } => ({ id: randomUUID(), type: 'encounter.discharged' });

describe('claimInboxForRun', () => {
  const runId = newRunId();
  let dataSource: DataSource;
  let unitOfWork: UnitOfWork;
  let statements: string[];

  beforeAll(async () => {
    dataSource = await openDatabase({ url: databaseUrl(runId, 'inbox'), serviceName: 'inbox-run-test', migrations: [MessagingTables1700000000003], poolSize: 2 });
    unitOfWork = new UnitOfWork(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await dropRunDatabases(runId);
  });

  beforeEach(() => {
    statements = [];
  });

  /** Counts the statements a claim sends. */
  const inTransaction = <T>(work: Parameters<UnitOfWork['run']>[0]): Promise<T> =>
    unitOfWork.run(async (manager) => {
      const stop = await recordStatements(manager, statements);
      try {
        return (await work(manager)) as T;
      } finally {
        stop();
      }
    });

  it('answers each handler claim of the run from one statement: new events once, earlier ones never', async () => {
    const handledBefore = event();
    await unitOfWork.run((manager) => claimInbox(manager, 'svc', handledBefore));
    const fresh = [event(), event()];
    const answers = await inTransaction<boolean[]>(async (manager) => {
      await claimInboxForRun(manager, 'svc', [...fresh, handledBefore, fresh[0]]);
      const claimed: boolean[] = [];
      for (const candidate of [fresh[0], handledBefore, fresh[1], fresh[0]]) {
        claimed.push(await claimInbox(manager, 'svc', candidate));
      }
      return claimed;
    });
    // fresh[0] is in the run twice (a republished event): handled the first time only.
    expect(answers).toEqual([true, false, true, false]);
    expect(statements.filter((text) => text.startsWith('messaging:'))).toEqual(['messaging:claim-inbox-run']);
    const rows: Array<{ event_id: string }> = await dataSource.query('SELECT event_id FROM inbox WHERE consumer = $1', ['svc']);
    expect(rows.map((row) => row.event_id).sort()).toEqual([handledBefore.id, ...fresh.map((candidate) => candidate.id)].sort());
  });

  it('claims events outside the run and for other consumers with a statement of their own', async () => {
    const inRun = event();
    const outside = event();
    const answers = await inTransaction<boolean[]>(async (manager) => {
      await claimInboxForRun(manager, 'svc', [inRun]);
      return [await claimInbox(manager, 'svc', outside), await claimInbox(manager, 'other', inRun), await claimInbox(manager, 'svc', inRun)];
    });
    expect(answers).toEqual([true, true, true]);
    expect(statements.filter((text) => text.startsWith('messaging:'))).toEqual(['messaging:claim-inbox-run', 'messaging:claim-inbox', 'messaging:claim-inbox']);
  });

  it('offers a run preparer only the new events of its type whose patient no other event of the run names', async () => {
    const envelope = (type: string, subject: string): EventEnvelope => ({ id: randomUUID(), type, subject }) as unknown as EventEnvelope;
    const handledBefore = envelope('encounter.discharged', 'pt-before');
    await unitOfWork.run((manager) => claimInbox(manager, 'svc', handledBefore));
    const alone = envelope('encounter.discharged', 'pt-alone');
    const run = [
      envelope('encounter.discharged', 'pt-twice'),
      envelope('encounter.discharged', 'pt-twice'),
      envelope('pharmacy.device-flagged', 'pt-flagged'),
      envelope('encounter.discharged', 'pt-flagged'),
      envelope('encounter.updated', 'pt-updated'),
      handledBefore,
      alone,
    ];
    const prepared = await unitOfWork.run(async (manager) => {
      await claimInboxForRun(manager, 'svc', run);
      return soleFreshEventsInRun(manager, 'svc', run, 'encounter.discharged');
    });
    expect(prepared.map((candidate) => candidate.id)).toEqual([alone.id]);
  });

  it('offers nothing to prepare outside a claimed run', async () => {
    const alone = { id: randomUUID(), type: 'encounter.discharged', subject: 'pt-unclaimed' } as unknown as EventEnvelope;
    expect(await unitOfWork.run(async (manager) => soleFreshEventsInRun(manager, 'svc', [alone], 'encounter.discharged'))).toEqual([]);
  });

  it('leaves nothing claimed when the run rolls back, so its events are handled again', async () => {
    const rolledBack = event();
    await expect(
      inTransaction(async (manager) => {
        await claimInboxForRun(manager, 'svc', [rolledBack]);
        await claimInbox(manager, 'svc', rolledBack);
        throw new Error('a handler of the run failed');
      }),
    ).rejects.toThrow('a handler of the run failed');
    const again = await unitOfWork.run((manager) => claimInbox(manager, 'svc', rolledBack));
    expect(again).toBe(true);
  });
});

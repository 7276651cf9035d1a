import type { DataSource } from 'typeorm';
import { createEnvelope, type EncounterEventData } from '@sc/contracts';
import { UnitOfWork, openDatabase } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, eventually, newRunId } from '@sc/testing';
import { AttributionIndex } from '../../../apps/care-gap/src/attribution/attribution-index';
import { ContextRepository } from '../../../apps/care-gap/src/context/context.repository';
import { MIGRATIONS } from '../../../apps/care-gap/src/migrations';

const discharge = (subject: string, planId: string | null) =>
  createEnvelope(
    'encounter.discharged',
    { patient: { deceased: false }, visit: { dischargeDisposition: '01' }, diagnoses: [], coverage: [{ planId, memberId: 'M1' }] } as unknown as EncounterEventData,
    { source: 'adt-ingest', subject, occurredAt: new Date().toISOString(), correlationId: `enc:LGH:${subject}` },
  );

/** Two instances of care-gap's attribution on one database: what one records, the other honours. */
describe(AttributionIndex.name, () => {
  const runId = newRunId();
  const url = databaseUrl(runId, 'care-gap-attribution');
  let dataSource: DataSource;
  let unitOfWork: UnitOfWork;
  const context = new ContextRepository();
  const instances: AttributionIndex[] = [];
  const start = async (serviceName: string, plans: string[]): Promise<AttributionIndex> => {
    const index = await AttributionIndex.start({ url, serviceName, plans, reconnectMs: 100 });
    instances.push(index);
    return index;
  };
  const honoured = (index: AttributionIndex, event: ReturnType<typeof discharge>): Promise<true> =>
    eventually(async () => (index.concerns(event) ? true : undefined), 5000, 20);

  beforeAll(async () => {
    dataSource = await openDatabase({ url, serviceName: 'care-gap-attribution', migrations: MIGRATIONS, poolSize: 2 });
    unitOfWork = new UnitOfWork(dataSource);
    // Known before the instances start: a plan with benefits, a member of it, a patient with a pharmacy task.
    await unitOfWork.run(async (manager) => {
      await context.upsertBenefit(manager, 'BENEFIT-PLAN', { itemSystem: 'HCPCS', itemCode: 'A4670', coverage: 'covered', quantityLimit: null, benefitRuleId: 'r1' });
      await context.lockPatient(manager, 'pt-member');
      await context.setPlan(manager, 'pt-member', 'BENEFIT-PLAN');
      await context.recordPharmacyTask(manager, 'task-1', 'pt-rostered', 'team-a');
    });
  }, 30_000);

  afterAll(async () => {
    await Promise.all(instances.map((index) => index.onApplicationShutdown()));
    await dataSource?.destroy();
    await dropRunDatabases(runId);
  });

  it('loads at start whom the database attributes, by plan benefits, plan membership and pharmacy work', async () => {
    const index = await start('care-gap-a', ['NSHP-GOLD']);
    expect(index.concerns(discharge('pt-member', null))).toBe(true);
    expect(index.concerns(discharge('pt-rostered', null))).toBe(true);
    expect(index.concerns(discharge('pt-someone', 'BENEFIT-PLAN'))).toBe(true);
    expect(index.concerns(discharge('pt-someone', 'NSHP-GOLD'))).toBe(true);
    expect(index.concerns(discharge('pt-someone', 'OTHER-PLAN'))).toBe(false);
    expect(index.concerns(discharge('pt-someone', null))).toBe(false);
  });

  it("honours, within a short poll, benefits loaded and a pharmacy task recorded through another instance's transaction", async () => {
    const [first, second] = [await start('care-gap-b', []), await start('care-gap-c', [])];
    await unitOfWork.run(async (manager) => {
      await context.lockPatient(manager, 'pt-late-member');
      await context.setPlan(manager, 'pt-late-member', 'LATE-PLAN');
    });
    expect(second.concerns(discharge('pt-late-member', null))).toBe(false);
    await unitOfWork.run((manager) =>
      context.upsertBenefit(manager, 'LATE-PLAN', { itemSystem: 'HCPCS', itemCode: 'A4670', coverage: 'covered', quantityLimit: null, benefitRuleId: 'r2' }),
    );
    await unitOfWork.run((manager) => context.recordPharmacyTask(manager, 'task-2', 'pt-late-rostered', null));
    for (const index of [first, second]) {
      await honoured(index, discharge('pt-someone', 'LATE-PLAN'));
      // A member known before the plan participated is attributed from then on.
      await honoured(index, discharge('pt-late-member', null));
      await honoured(index, discharge('pt-late-rostered', null));
    }
  });

  it('reloads everything after losing its connection, including what changed meanwhile', async () => {
    const index = await start('care-gap-reconnect', []);
    await dataSource.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'care-gap-reconnect-attribution'");
    await unitOfWork.run((manager) => context.recordPharmacyTask(manager, 'task-3', 'pt-while-away', null));
    // The set held keeps answering while the connection is down.
    expect(index.concerns(discharge('pt-rostered', null))).toBe(true);
    await honoured(index, discharge('pt-while-away', null));
    await eventually(async () => {
      const { length } = await dataSource.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'care-gap-reconnect-attribution'");
      return length === 1 ? true : undefined;
    });
  });
});

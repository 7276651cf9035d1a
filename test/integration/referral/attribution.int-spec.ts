import { randomUUID } from 'node:crypto';
import { createEnvelope, type EncounterEventData, type EventEnvelope } from '@sc/contracts';
import { UnitOfWork, openDatabase, type DataSource } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, eventually, newRunId } from '@sc/testing';
import { AttributionIndex } from '../../../apps/referral/src/attribution/attribution-index';
import { ClinicalFactsRepository } from '../../../apps/referral/src/facts/clinical-facts.repository';
import { MIGRATIONS } from '../../../apps/referral/src/migrations';

const admission = (subject: string, planId: string | null): EventEnvelope =>
  createEnvelope('encounter.admitted', { coverage: [{ planId, memberId: 'M1' }] } as unknown as EncounterEventData, {
    source: 'adt-ingest',
    subject,
    occurredAt: new Date().toISOString(),
    correlationId: `enc:LGH:${subject}`,
  });

/** Two instances of referral's attribution on one database: a fact one records makes the patient's next event concern the other. */
describe(AttributionIndex.name, () => {
  const runId = newRunId();
  const url = databaseUrl(runId, 'referral-attribution');
  let dataSource: DataSource;
  const facts = new ClinicalFactsRepository();
  const instances: AttributionIndex[] = [];
  const start = async (serviceName: string): Promise<AttributionIndex> => {
    const index = await AttributionIndex.start({ url, serviceName, plans: ['NSHP-GOLD'], reconnectMs: 100 });
    instances.push(index);
    return index;
  };

  beforeAll(async () => {
    dataSource = await openDatabase({ url, serviceName: 'referral-attribution', migrations: MIGRATIONS, poolSize: 2 });
  }, 30_000);

  afterAll(async () => {
    await Promise.all(instances.map((index) => index.onApplicationShutdown()));
    await dataSource?.destroy();
    await dropRunDatabases(runId);
  });

  it("honours a pharmacist's follow-up and a merge recorded through another instance, within a short poll", async () => {
    const [first, second] = [await start('referral-a'), await start('referral-b')];
    expect(second.concerns(admission('pt-rostered', null))).toBe(false);
    expect(second.concerns(admission('pt-covered', 'NSHP-GOLD'))).toBe(true);
    const unitOfWork = new UnitOfWork(dataSource);
    await unitOfWork.run((manager) =>
      facts.recordFollowUp(manager, 'pt-rostered', { taskId: randomUUID(), correlationId: 'enc:LGH:V1', outcome: 'reached', completedAt: new Date(), withinWindow: true }),
    );
    await unitOfWork.run((manager) => facts.moveSubject(manager, 'pt-rostered', 'pt-survivor'));
    for (const index of [first, second]) {
      await eventually(async () => (index.concerns(admission('pt-rostered', null)) ? true : undefined), 5000, 20);
      await eventually(async () => (index.concerns(admission('pt-survivor', null)) ? true : undefined), 5000, 20);
    }
    // A subject that became known at start is loaded, not only notified.
    expect((await start('referral-c')).concerns(admission('pt-survivor', null))).toBe(true);
  });
});

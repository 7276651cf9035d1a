import { UnitOfWork, openDatabase, type DataSource } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, newRunId } from '@sc/testing';
import { ClinicalFactsRepository, type EncounterUpdate } from '../../../apps/referral/src/facts/clinical-facts.repository';
import { MIGRATIONS } from '../../../apps/referral/src/migrations';

/** The referral service's encounter facts on a real, migrated PostgreSQL database. */
describe(ClinicalFactsRepository.name, () => {
  const runId = newRunId();
  let dataSource: DataSource;
  let unitOfWork: UnitOfWork;
  const facts = new ClinicalFactsRepository();

  beforeAll(async () => {
    dataSource = await openDatabase({ url: databaseUrl(runId, 'referral-facts'), serviceName: 'referral-facts-test', migrations: MIGRATIONS, poolSize: 2 });
    unitOfWork = new UnitOfWork(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await dropRunDatabases(runId);
  });

  const encounter = (visit: string, subject: string, extra: Partial<EncounterUpdate> = {}): EncounterUpdate => ({
    correlationId: `enc:LGH:${visit}`,
    subject,
    facility: 'LGH',
    patientClass: 'I',
    admittedAt: new Date('2026-11-01T08:00:00Z'),
    diagnoses: [{ code: 'I50.9', codingSystem: 'I10', type: 'F' }],
    language: null,
    ...extra,
  });

  it('keeps one episode’s admission, discharge, cancellation and late copy in order within one transaction', async () => {
    const dischargedAt = new Date('2026-11-03T10:00:00Z');
    await unitOfWork.run(async (manager) => {
      await facts.recordEncounter(manager, encounter('V-ORDER', 'pt-order', { language: 'fr' }));
      expect((await facts.episodeAndPatient(manager, 'enc:LGH:V-ORDER', 'pt-order')).patient).toMatchObject({ language: 'fr' });
      await facts.recordEncounter(manager, encounter('V-ORDER', 'pt-order', { diagnoses: [], discharge: { at: dischargedAt, disposition: '01' } }));
      await facts.recordCancellation(manager, 'enc:LGH:V-ORDER', 'pt-order', 'discharge', new Date('2026-11-03T11:00:00Z'));
      // A late copy of the cancelled discharge does not revive the episode.
      await facts.recordEncounter(manager, encounter('V-ORDER', 'pt-order', { diagnoses: [], discharge: { at: dischargedAt, disposition: '01' } }));
      const { episode: seen } = await facts.episodeAndPatient(manager, 'enc:LGH:V-ORDER', 'pt-order');
      expect(seen?.dischargeCancelledAt).toEqual(new Date('2026-11-03T11:00:00Z'));
    });
    const { episode, patient } = await unitOfWork.run((manager) => facts.episodeAndPatient(manager, 'enc:LGH:V-ORDER', 'pt-order'));
    expect(episode).toMatchObject({
      dischargedAt,
      dischargeCancelledAt: new Date('2026-11-03T11:00:00Z'),
      diagnoses: [{ code: 'I50.9', codingSystem: 'I10', type: 'F' }],
    });
    expect(patient).toMatchObject({ language: 'fr' });
  });

  it('records a death an encounter reports with its facts, and keeps the first death known', async () => {
    const firstDeath = new Date('2026-11-04T06:00:00Z');
    await unitOfWork.run(async (manager) => {
      await facts.recordEncounter(manager, encounter('V-DIED', 'pt-died', { diedAt: firstDeath }));
      await facts.recordEncounter(manager, encounter('V-ALIVE', 'pt-alive'));
    });
    // A later event with another death time (a corrected feed) does not move the known one.
    await unitOfWork.run((manager) => facts.recordEncounter(manager, encounter('V-DIED', 'pt-died', { diedAt: new Date('2026-11-05T06:00:00Z') })));
    expect((await facts.episodeAndPatient(dataSource.manager, 'enc:LGH:V-DIED', 'pt-died')).patient).toEqual({ subject: 'pt-died', language: null, deceasedAt: firstDeath });
    expect((await facts.episodeAndPatient(dataSource.manager, 'enc:LGH:V-ALIVE', 'pt-alive')).patient).toEqual({ subject: 'pt-alive', language: null, deceasedAt: null });
  });

  it('lifts a cancellation with a later discharge, and fills the episode from earlier events', async () => {
    const dischargedAt = new Date('2026-11-06T09:00:00Z');
    await dataSource.query(`INSERT INTO episodes (correlation_id, subject, discharge_cancelled_at) VALUES ('enc:LGH:V-READ', 'pt-read', '2026-11-06T08:00:00Z')`);
    await unitOfWork.run(async (manager) => {
      expect(await facts.episodeAndPatient(manager, 'enc:LGH:V-READ', 'pt-read')).toMatchObject({ episode: { dischargedAt: null }, patient: undefined });
      await facts.recordEncounter(manager, encounter('V-READ', 'pt-read', { language: 'es', discharge: { at: dischargedAt, disposition: '06' } }));
      const { episode, patient } = await facts.episodeAndPatient(manager, 'enc:LGH:V-READ', 'pt-read');
      expect(episode).toMatchObject({ dischargedAt, disposition: '06', dischargeCancelledAt: null, admittedAt: new Date('2026-11-01T08:00:00Z') });
      expect(patient).toEqual({ subject: 'pt-read', language: 'es', deceasedAt: null });
    });
  });

  it('writes nothing of a run that rolls back', async () => {
    await expect(
      unitOfWork.run(async (manager) => {
        await facts.recordEncounter(manager, encounter('V-ROLLBACK', 'pt-rollback'));
        throw new Error('a later handler failed');
      }),
    ).rejects.toThrow('a later handler failed');
    expect(await unitOfWork.run((manager) => facts.episodeAndPatient(manager, 'enc:LGH:V-ROLLBACK', 'pt-rollback'))).toEqual({ episode: undefined, patient: undefined });
  });
});

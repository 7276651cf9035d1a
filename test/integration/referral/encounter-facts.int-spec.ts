import { UnitOfWork, openDatabase, type DataSource } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, newRunId, recordStatements } from '@sc/testing';
import { ClinicalFactsRepository, type EncounterUpdate } from '../../../apps/referral/src/facts/clinical-facts.repository';
import { MIGRATIONS } from '../../../apps/referral/src/migrations';

/** The referral service's encounter facts, written with the rest of a run's encounters at commit. */
describe('referral encounter facts in a shared transaction', () => {
  const runId = newRunId();
  let dataSource: DataSource;
  let unitOfWork: UnitOfWork;
  const facts = new ClinicalFactsRepository();
  let statements: string[];

  beforeAll(async () => {
    dataSource = await openDatabase({ url: databaseUrl(runId, 'referral-facts'), serviceName: 'referral-facts-test', migrations: MIGRATIONS, poolSize: 2 });
    unitOfWork = new UnitOfWork(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await dropRunDatabases(runId);
  });

  beforeEach(() => {
    statements = [];
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

  it('writes the encounters of many patients in one statement at commit', async () => {
    await unitOfWork.run(async (manager) => {
      await recordStatements(manager, statements);
      for (let index = 0; index < 50; index += 1) {
        await facts.recordEncounter(manager, encounter(`V-MANY-${index}`, `pt-many-${index}`, { language: index % 2 === 0 ? 'es' : null }));
      }
    });
    expect(statements.filter((text) => text.startsWith('referral:'))).toEqual(['referral:record-encounters']);
    const [{ episodes, spanish }] = (await dataSource.query(
      `SELECT (SELECT count(*)::int FROM episodes WHERE correlation_id LIKE 'enc:LGH:V-MANY-%') AS episodes,
              (SELECT count(*)::int FROM patients WHERE subject LIKE 'pt-many-%' AND language = 'es') AS spanish`,
    )) as Array<{ episodes: number; spanish: number }>;
    expect({ episodes, spanish }).toEqual({ episodes: 50, spanish: 25 });
  });

  it('keeps one episode’s admission, discharge, cancellation and late copy in order within one transaction', async () => {
    const dischargedAt = new Date('2026-11-03T10:00:00Z');
    await unitOfWork.run(async (manager) => {
      await facts.recordEncounter(manager, encounter('V-ORDER', 'pt-order', { language: 'fr' }));
      // A read in the same transaction sees what is pending.
      expect((await facts.episodeAndPatient(manager, 'enc:LGH:V-ORDER', 'pt-order')).patient).toMatchObject({ language: 'fr' });
      await facts.recordEncounter(manager, encounter('V-ORDER', 'pt-order', { diagnoses: [], discharge: { at: dischargedAt, disposition: '01' } }));
      // The cancellation reads and writes the episode, so the pending facts are written first.
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

  it('records a death an encounter reports with its facts, in the same statement, and keeps the first death known', async () => {
    const firstDeath = new Date('2026-11-04T06:00:00Z');
    await unitOfWork.run(async (manager) => {
      await recordStatements(manager, statements);
      await facts.recordEncounter(manager, encounter('V-DIED', 'pt-died', { diedAt: firstDeath }));
      await facts.recordEncounter(manager, encounter('V-ALIVE', 'pt-alive'));
    });
    expect(statements.filter((text) => text.startsWith('referral:'))).toEqual(['referral:record-encounters']);
    // A later event with another death time (a corrected feed) does not move the known one.
    await unitOfWork.run((manager) => facts.recordEncounter(manager, encounter('V-DIED', 'pt-died', { diedAt: new Date('2026-11-05T06:00:00Z') })));
    expect((await facts.episodeAndPatient(dataSource.manager, 'enc:LGH:V-DIED', 'pt-died')).patient).toEqual({ subject: 'pt-died', language: null, deceasedAt: firstDeath });
    expect((await facts.episodeAndPatient(dataSource.manager, 'enc:LGH:V-ALIVE', 'pt-alive')).patient).toEqual({ subject: 'pt-alive', language: null, deceasedAt: null });
  });

  it('reads an episode and patient whose facts are pending in the statement that writes them, leaving unrelated facts pending', async () => {
    const dischargedAt = new Date('2026-11-06T09:00:00Z');
    await dataSource.query(`INSERT INTO episodes (correlation_id, subject, discharge_cancelled_at) VALUES ('enc:LGH:V-READ', 'pt-read', '2026-11-06T08:00:00Z')`);
    await unitOfWork.run(async (manager) => {
      await recordStatements(manager, statements);
      await facts.recordEncounter(manager, encounter('V-OTHER', 'pt-other'));
      expect(await facts.episodeAndPatient(manager, 'enc:LGH:V-READ', 'pt-read')).toMatchObject({ episode: { dischargedAt: null }, patient: undefined });
      await facts.recordEncounter(manager, encounter('V-READ', 'pt-read', { language: 'es', discharge: { at: dischargedAt, disposition: '06' } }));
      const { episode, patient } = await facts.episodeAndPatient(manager, 'enc:LGH:V-READ', 'pt-read');
      // A discharge after the cancellation lifts it, as the upsert decides.
      expect(episode).toMatchObject({ dischargedAt, disposition: '06', dischargeCancelledAt: null, admittedAt: new Date('2026-11-01T08:00:00Z') });
      expect(patient).toEqual({ subject: 'pt-read', language: 'es', deceasedAt: null });
      // Nothing is pending any more: the episode's own facts and V-OTHER's were written with the read.
      expect(await facts.episodeAndPatient(manager, 'enc:LGH:V-OTHER', 'pt-other')).toMatchObject({ episode: { subject: 'pt-other' }, patient: { subject: 'pt-other' } });
    });
    expect(statements.filter((text) => text.startsWith('referral:'))).toEqual(['referral:episode-and-patient', 'referral:episode-and-patient', 'referral:episode-and-patient']);
    const [{ episodes }] = (await dataSource.query(`SELECT count(*)::int AS episodes FROM episodes WHERE correlation_id IN ('enc:LGH:V-READ', 'enc:LGH:V-OTHER')`)) as Array<{ episodes: number }>;
    expect(episodes).toBe(2);
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

import { randomUUID } from 'node:crypto';
import { createEnvelope } from '@sc/contracts';
import { MetricsRegistry } from '@sc/observability';
import { UnitOfWork, openDatabase, type DataSource } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, eventually, newRunId } from '@sc/testing';
import { AttributionIndex } from '../../../apps/pharmacy-alert/src/attribution/attribution-index';
import { MIGRATIONS } from '../../../apps/pharmacy-alert/src/migrations';
import { RosterRepository } from '../../../apps/pharmacy-alert/src/roster/roster.repository';
import { RosterService } from '../../../apps/pharmacy-alert/src/roster/roster.service';
import { encounterEvent, mergeEvent } from '../../e2e/support/encounter-events';

describe(AttributionIndex.name, () => {
  const runId = newRunId();
  const url = databaseUrl(runId, 'pharmacy-attribution');
  let dataSource: DataSource;
  let roster: RosterRepository;
  let rosterApi: RosterService;
  let thisInstance: AttributionIndex;
  let otherInstance: AttributionIndex;
  let otherMetrics: MetricsRegistry;

  beforeAll(async () => {
    dataSource = await openDatabase({ url, serviceName: 'pharmacy-attribution', migrations: MIGRATIONS, poolSize: 4 });
    roster = new RosterRepository(new UnitOfWork(dataSource));
    otherMetrics = new MetricsRegistry();
    thisInstance = await AttributionIndex.start({ url, serviceName: 'pharmacy-alert', metrics: new MetricsRegistry() });
    otherInstance = await AttributionIndex.start({ url, serviceName: 'pharmacy-alert', metrics: otherMetrics });
    rosterApi = new RosterService(roster, thisInstance, new MetricsRegistry());
  }, 30_000);

  afterAll(async () => {
    await thisInstance?.onApplicationShutdown();
    await otherInstance?.onApplicationShutdown();
    await dataSource?.destroy();
    await dropRunDatabases(runId);
  });

  const enroll = async (mrn: string, demographics: { familyName: string; givenName: string; birthDate: string }): Promise<void> => {
    const result = await rosterApi.upsertRows([
      { pharmacyPatientId: `SP-${mrn}`, ...demographics, sex: 'F', identifiers: [{ authority: 'LGH', value: mrn, type: 'MR' }], teamId: 'team-1' },
    ]);
    expect(result.accepted).toBe(1);
  };

  const gapClosed = (subject: string) =>
    createEnvelope(
      'care-gap.closed',
      { gapId: randomUUID(), gapType: 'home-bp-monitor', status: 'closed', reason: 'delivered', actorId: 'nurse-1' },
      { source: 'care-gap', subject, occurredAt: new Date().toISOString(), correlationId: randomUUID() },
    );

  it("honours a roster change made through one instance in another instance's index, without a restart", async () => {
    const discharge = encounterEvent('encounter.discharged', { mrn: 'MRN-ENROLLED', visit: 'V-1', familyName: 'Nguyen', givenName: 'Lan', birthDate: '1955-03-04' });
    expect(otherInstance.concerns(discharge)).toBe(false);

    await enroll('MRN-ENROLLED', { familyName: 'NGUYEN', givenName: 'LAN', birthDate: '1955-03-04' });

    // The instance that took the change answered only once its own index held it.
    expect(thisInstance.concerns(discharge)).toBe(true);
    await eventually(async () => (otherInstance.concerns(discharge) ? true : undefined), 5_000);
  });

  it('lets through an unrostered patient whose demographics partly match a roster entry, so identity review can open', async () => {
    await enroll('MRN-PARTIAL', { familyName: 'OKAFOR', givenName: 'ADA', birthDate: '1961-07-08' });
    const sameFamily = encounterEvent('encounter.discharged', { mrn: 'OTHER-MRN-1', visit: 'V-2', familyName: 'Okafor', givenName: 'Chidi', birthDate: '1961-07-08' });
    const sameGiven = encounterEvent('encounter.admitted', { mrn: 'OTHER-MRN-2', visit: 'V-3', familyName: 'Smith', givenName: 'ada', birthDate: '1961-07-08' });
    const otherBirthDate = encounterEvent('encounter.discharged', { mrn: 'OTHER-MRN-3', visit: 'V-4', familyName: 'Okafor', givenName: 'Ada', birthDate: '1961-07-09' });

    await eventually(async () => (otherInstance.concerns(sameFamily) ? true : undefined), 5_000);
    expect(otherInstance.concerns(sameGiven)).toBe(true);
    expect(otherInstance.concerns(otherBirthDate)).toBe(false);
  });

  it("takes other teams' events for a subject once an encounter linked it, and a merge by its prior record", async () => {
    const patientId = (await roster.findByIdentifiers(dataSource.manager, [{ authority: 'LGH', value: 'MRN-ENROLLED', type: 'MR' }]))[0].id;
    const subject = `subj-${randomUUID()}`;
    expect(otherInstance.concerns(gapClosed(subject))).toBe(false);

    await roster.rememberSubjects(dataSource.manager, [{ subject, patientId }]);

    await eventually(async () => (otherInstance.concerns(gapClosed(subject)) ? true : undefined), 5_000);
    const merge = mergeEvent({ mrn: 'NEW-RECORD', priorMrn: 'MRN-ENROLLED', visit: 'V-5', birthDate: '2001-01-01' });
    expect(otherInstance.concerns(merge)).toBe(true);
  });

  it('turns away and counts events about nobody on the roster, and always takes roster changes', async () => {
    const nobody = encounterEvent('encounter.updated', { mrn: 'NOBODY', visit: 'V-6', familyName: 'Unknown', birthDate: '1940-02-02' });
    const enrollment = createEnvelope(
      'roster.enrollment-changed',
      { action: 'disenroll', patient: { pharmacyPatientId: 'SP-NOBODY' } },
      { source: 'enrollment', subject: 'SP-NOBODY', occurredAt: new Date().toISOString(), correlationId: 'enroll-x' },
    );
    const before = otherInstance.unattributedEncounters;

    expect(otherInstance.concerns(nobody)).toBe(false);
    expect(otherInstance.concerns(enrollment)).toBe(true);

    expect(otherInstance.unattributedEncounters).toBe(before + 1);
    expect(await otherMetrics.render()).toMatch(/sc_pharmacy_unattributed_events_total\{type="encounter.updated"\} 1/);
  });

  it('loads the whole roster again when its connection comes back, learning what changed while it was away', async () => {
    const discharge = encounterEvent('encounter.discharged', { mrn: 'MRN-SILENT', visit: 'V-7', birthDate: '1977-05-06' });
    // Stored without notifying anyone (triggers off for this transaction), as if sent while the listener was disconnected.
    await dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL session_replication_role = replica`);
      const id = randomUUID();
      await manager.query(`INSERT INTO patients (id, pharmacy_patient_id, family_name, given_name, birth_date) VALUES ($1, 'SP-SILENT', 'QUIET', 'QUINN', '1930-01-01')`, [id]);
      await manager.query(`INSERT INTO patient_identifiers (patient_id, authority, value, type) VALUES ($1, 'LGH', 'MRN-SILENT', 'MR')`, [id]);
    });
    expect(otherInstance.concerns(discharge)).toBe(false);

    await dataSource.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'pharmacy-alert-attribution'`);

    await eventually(async () => (otherInstance.concerns(discharge) ? true : undefined), 10_000);
  });
});

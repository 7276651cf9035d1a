import { TopicNames } from '@sc/contracts';
import { EventRun, Outbox } from '@sc/messaging';
import { MetricsRegistry } from '@sc/observability';
import { UnitOfWork, openDatabase, type DataSource } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, eventually, newRunId } from '@sc/testing';
import { AttributionIndex } from '../../../apps/pharmacy-alert/src/attribution/attribution-index';
import type { PharmacyAlertConfig } from '../../../apps/pharmacy-alert/src/config';
import { EncounterWorkService, type EncounterEvent } from '../../../apps/pharmacy-alert/src/encounters/encounter-work.service';
import { IdentityReviewRepository } from '../../../apps/pharmacy-alert/src/matching/identity-review.repository';
import { PatientMatcher } from '../../../apps/pharmacy-alert/src/matching/patient-matcher';
import { MIGRATIONS } from '../../../apps/pharmacy-alert/src/migrations';
import { PharmacistRepository } from '../../../apps/pharmacy-alert/src/pharmacists/pharmacist.repository';
import { RosterRepository } from '../../../apps/pharmacy-alert/src/roster/roster.repository';
import { RosterService } from '../../../apps/pharmacy-alert/src/roster/roster.service';
import { PharmacyEvents } from '../../../apps/pharmacy-alert/src/tasks/pharmacy-events';
import { RefillHoldRepository } from '../../../apps/pharmacy-alert/src/tasks/refill-hold.repository';
import { TaskRepository } from '../../../apps/pharmacy-alert/src/tasks/task.repository';
import { TimelineRepository } from '../../../apps/pharmacy-alert/src/timeline/timeline.repository';
import { encounterEvent, mergeEvent } from '../../e2e/support/encounter-events';

const runOf = (events: EncounterEvent[]): EventRun<EncounterEvent> => EventRun.of(events);

describe(EncounterWorkService.name, () => {
  const runId = newRunId();
  const url = databaseUrl(runId, 'pharmacy-encounter-work');
  let dataSource: DataSource;
  let unitOfWork: UnitOfWork;
  let attribution: AttributionIndex;
  let work: EncounterWorkService;
  let rosterApi: RosterService;
  const holds = new RefillHoldRepository();

  beforeAll(async () => {
    dataSource = await openDatabase({ url, serviceName: 'pharmacy-encounter-work', migrations: MIGRATIONS, poolSize: 4 });
    unitOfWork = new UnitOfWork(dataSource);
    attribution = await AttributionIndex.start({ url, serviceName: 'pharmacy-alert', metrics: new MetricsRegistry() });
    const roster = new RosterRepository(unitOfWork);
    const pharmacists = new PharmacistRepository(dataSource);
    rosterApi = new RosterService(roster, attribution, new MetricsRegistry());
    const config = {
      DISCHARGE_WINDOW_HOURS: 24,
      ESCALATION_REMINDER_MINUTES: 120,
      ESCALATION_TEAM_LEAD_HOURS: 18,
      ESCALATION_CLOCKS: ['follow-up-24h'],
      FACILITY_TIME_ZONES: {},
      DEFAULT_TIME_ZONE: 'UTC',
      BUSINESS_HOLIDAYS: [],
    } as Partial<PharmacyAlertConfig> as PharmacyAlertConfig;
    work = new EncounterWorkService(
      unitOfWork,
      new PatientMatcher(roster),
      roster,
      pharmacists,
      new TaskRepository(dataSource),
      holds,
      new IdentityReviewRepository(dataSource),
      new TimelineRepository(dataSource),
      new PharmacyEvents(new Outbox(new TopicNames(''))),
      config,
      attribution,
    );
    await pharmacists.upsert('pharm-ana', { teamId: 'team-1', role: 'pharmacist', languages: ['en'] });
    await pharmacists.upsert('pharm-ben', { teamId: 'team-es', role: 'pharmacist', languages: ['en'] });
    await pharmacists.upsert('pharm-luis', { teamId: 'team-es', role: 'pharmacist', languages: ['en', 'es'] });
  }, 30_000);

  afterAll(async () => {
    await attribution?.onApplicationShutdown();
    await dataSource?.destroy();
    await dropRunDatabases(runId);
  });

  const enroll = async (mrn: string, extra: Record<string, unknown> = {}): Promise<string> => {
    await rosterApi.upsertRows([
      {
        pharmacyPatientId: `SP-${mrn}`,
        familyName: 'TESTER',
        givenName: 'PAT',
        birthDate: '1968-04-12',
        sex: 'M',
        pharmacistId: 'pharm-ana',
        teamId: 'team-1',
        identifiers: [{ authority: 'LGH', value: mrn, type: 'MR' }],
        ...extra,
      },
    ]);
    const [{ id }]: Array<{ id: string }> = await dataSource.query('SELECT id FROM patients WHERE pharmacy_patient_id = $1', [`SP-${mrn}`]);
    return id;
  };

  const outboxCausedBy = async (eventId: string): Promise<string[]> =>
    (await dataSource.query<Array<{ event_type: string }>>(`SELECT event_type FROM outbox WHERE payload::jsonb ->> 'causationId' = $1 ORDER BY seq`, [eventId])).map(
      (row) => row.event_type,
    );

  const tasksOf = (patientId: string): Promise<Array<{ id: string; kind: string; status: string; assignee_id: string }>> =>
    dataSource.query('SELECT id, kind, status, assignee_id FROM tasks WHERE patient_id = $1 ORDER BY kind', [patientId]);

  it("creates an attributed patient's discharge task with its timers, timeline entry and outbox events, releasing the admission's hold", async () => {
    const patientId = await enroll('MRN-EFFECTS');
    const admission = encounterEvent('encounter.admitted', { mrn: 'MRN-EFFECTS', visit: 'V-EFFECTS' });
    const discharge = encounterEvent('encounter.discharged', { mrn: 'MRN-EFFECTS', visit: 'V-EFFECTS' });

    expect(await work.handleRun(runOf([admission]))).toEqual(['task-created']);
    expect(await work.handleRun(runOf([discharge]))).toEqual(['task-created']);
    // Republished (the inbox is the transport's): the episode's task is its natural key.
    expect(await work.handleRun(runOf([discharge]))).toEqual(['duplicate-episode']);

    const tasks = await tasksOf(patientId);
    expect(tasks.map((task) => [task.kind, task.status, task.assignee_id])).toEqual([
      ['admission-alert', 'open', 'pharm-ana'],
      ['discharge-call', 'open', 'pharm-ana'],
    ]);
    const timers: Array<{ step: string }> = await dataSource.query('SELECT step FROM task_timers WHERE task_id = $1', [tasks[1].id]);
    expect(timers.length).toBeGreaterThan(0);
    expect(await outboxCausedBy(admission.id)).toEqual(['pharmacy.task-created', 'pharmacy.refill-hold-placed', 'notification.requested']);
    expect(await outboxCausedBy(discharge.id)).toEqual(['pharmacy.refill-hold-released', 'pharmacy.task-created', 'notification.requested']);
    expect((await holds.forPatient(dataSource.manager, patientId)).map((hold) => hold.status)).toEqual(['released']);
    const timeline: Array<{ kind: string }> = await dataSource.query('SELECT kind FROM timeline_entries WHERE patient_id = $1 ORDER BY occurred_at, id', [patientId]);
    expect(timeline.map((entry) => entry.kind)).toEqual(['admitted', 'discharged']);
    const [link]: Array<{ patient_id: string }> = await dataSource.query('SELECT patient_id FROM patient_subjects WHERE subject = $1', [discharge.subject]);
    expect(link.patient_id).toBe(patientId);
  });

  it.each(['SPA', 'spa', 'es', 'Spanish', 'SPA^Spanish^ISO639', '^Spanish'])(
    'gives a patient the hospital reports as %s (no roster language) to the Spanish-speaking pharmacist',
    async (language) => {
      const mrn = `MRN-LANG-${language.replace(/\W/g, '_')}`;
      const patientId = await enroll(mrn, { pharmacistId: undefined, teamId: 'team-es' });
      expect(await work.handleRun(runOf([encounterEvent('encounter.discharged', { mrn, visit: `V-${mrn}`, language })]))).toEqual(['task-created']);
      expect((await tasksOf(patientId)).map((task) => task.assignee_id)).toEqual(['pharm-luis']);
    },
  );

  it('routes by the roster’s language, stored canonical, over the feed’s', async () => {
    const patientId = await enroll('MRN-LANG-ROSTER', { pharmacistId: undefined, teamId: 'team-es', preferredLanguage: 'spa' });
    const [{ preferred_language }]: Array<{ preferred_language: string }> = await dataSource.query('SELECT preferred_language FROM patients WHERE id = $1', [patientId]);
    expect(preferred_language).toBe('es');
    await work.handleRun(runOf([encounterEvent('encounter.discharged', { mrn: 'MRN-LANG-ROSTER', visit: 'V-LANG-ROSTER', language: 'ENG^English^ISO639' })]));
    expect((await tasksOf(patientId)).map((task) => task.assignee_id)).toEqual(['pharm-luis']);
  });

  it('keeps a roster language no table names as given and warns about the row', async () => {
    const result = await rosterApi.upsertRows([
      { pharmacyPatientId: 'SP-LANG-X', familyName: 'TESTER', givenName: 'PAT', birthDate: '1968-04-12', preferredLanguage: 'Klingonese', identifiers: [{ authority: 'LGH', value: 'MRN-LANG-X', type: 'MR' }] },
    ]);
    expect(result).toMatchObject({ accepted: 1, rowWarnings: [{ row: 1 }] });
    const [{ preferred_language }]: Array<{ preferred_language: string }> = await dataSource.query("SELECT preferred_language FROM patients WHERE pharmacy_patient_id = 'SP-LANG-X'");
    expect(preferred_language).toBe('Klingonese');
  });

  it('handles an admission, its discharge and the cancel of that discharge as one run, in the order they came', async () => {
    const patientId = await enroll('MRN-BOUNCE');
    const events = [
      encounterEvent('encounter.admitted', { mrn: 'MRN-BOUNCE', visit: 'V-BOUNCE' }),
      encounterEvent('encounter.discharged', { mrn: 'MRN-BOUNCE', visit: 'V-BOUNCE' }),
      encounterEvent('encounter.discharge-cancelled', { mrn: 'MRN-BOUNCE', visit: 'V-BOUNCE' }),
    ];
    const results = await work.handleRun(runOf(events));

    expect(results).toEqual(['task-created', 'task-created', 'cancelled']);
    expect((await tasksOf(patientId)).map((task) => [task.kind, task.status])).toEqual([
      ['admission-alert', 'open'],
      ['discharge-call', 'cancelled'],
    ]);
    // Released by the discharge, held again under its id by the cancel.
    expect((await holds.forPatient(dataSource.manager, patientId)).map((hold) => [hold.status, hold.reason])).toEqual([['held', 'inpatient']]);
  });

  it('gives a discharge the hospital cancelled and then sent again a task of its own', async () => {
    const patientId = await enroll('MRN-REDISCHARGE');
    const visit = { mrn: 'MRN-REDISCHARGE', visit: 'V-REDISCHARGE' };
    const events = [
      encounterEvent('encounter.admitted', visit),
      encounterEvent('encounter.discharged', visit),
      encounterEvent('encounter.discharge-cancelled', visit),
      encounterEvent('encounter.discharged', visit),
    ];

    expect(await work.handleRun(runOf(events))).toEqual(['task-created', 'task-created', 'cancelled', 'task-created']);
    const discharges = (await tasksOf(patientId)).filter((task) => task.kind === 'discharge-call');
    expect(discharges.map((task) => task.status).sort()).toEqual(['cancelled', 'open']);
  });

  it('opens an identity review for an unrostered patient whose demographics partly match a roster entry', async () => {
    await enroll('MRN-ROSTERED', { familyName: 'ABARA', givenName: 'NNEKA', birthDate: '1972-09-10', sex: 'F' });
    const discharge = encounterEvent('encounter.discharged', { mrn: 'MRN-ELSEWHERE', visit: 'V-PARTIAL', familyName: 'Abara', givenName: 'Ngozi', birthDate: '1972-09-10', sex: 'F' });
    await eventually(async () => (attribution.concerns(discharge) ? true : undefined), 5_000);

    expect(await work.handleRun(runOf([discharge]))).toEqual(['identity-review']);

    const reviews: Array<{ reason: string }> = await dataSource.query('SELECT reason FROM identity_reviews WHERE event_id = $1', [discharge.id]);
    expect(reviews).toEqual([{ reason: 'partial demographic match' }]);
    expect(await outboxCausedBy(discharge.id)).toEqual([]);
  });

  it("matches a run's patients in one read, and matches the events after a merge by what the merge linked", async () => {
    const patientId = await enroll('MRN-RUN-A');
    await enroll('MRN-RUN-OTHER', { familyName: 'OKAFOR', givenName: 'CHIDI', birthDate: '1980-03-03' });
    const events = [
      encounterEvent('encounter.updated', { mrn: 'MRN-RUN-A', visit: 'V-RUN-1' }),
      encounterEvent('encounter.discharged', { mrn: 'MRN-RUN-ELSEWHERE', visit: 'V-RUN-2', familyName: 'Okafor', givenName: 'Emeka', birthDate: '1980-03-03' }),
      encounterEvent('encounter.updated', { mrn: 'MRN-RUN-NOBODY', visit: 'V-RUN-3', familyName: 'Nobody', birthDate: '1951-05-05' }),
      mergeEvent({ mrn: 'NEW-RUN-A', priorMrn: 'MRN-RUN-A', visit: 'V-RUN-4', familyName: 'Renamed', birthDate: '1999-09-09' }),
      encounterEvent('encounter.discharged', { mrn: 'NEW-RUN-A', visit: 'V-RUN-4', familyName: 'Renamed', birthDate: '1999-09-09' }),
    ];

    expect(await work.handleRun(runOf(events))).toEqual(['updated', 'identity-review', 'unrostered', 'merged', 'task-created']);
    expect((await tasksOf(patientId)).map((task) => task.kind)).toEqual(['discharge-call']);
    const links: Array<{ subject: string }> = await dataSource.query('SELECT subject FROM patient_subjects WHERE patient_id = $1 ORDER BY subject', [patientId]);
    expect(links.map((link) => link.subject)).toEqual(['pt-MRN-RUN-A', 'pt-NEW-RUN-A']);
  });
});

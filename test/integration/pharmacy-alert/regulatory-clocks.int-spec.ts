import { TopicNames } from '@sc/contracts';
import { loadConfig } from '@sc/config';
import { EventRun, Outbox } from '@sc/messaging';
import { MetricsRegistry } from '@sc/observability';
import { UnitOfWork, openDatabase, type DataSource } from '@sc/persistence';
import type { Principal } from '@sc/security';
import { databaseUrl, dropRunDatabases, newRunId } from '@sc/testing';
import { AttributionIndex } from '../../../apps/pharmacy-alert/src/attribution/attribution-index';
import { PharmacyAlertConfig } from '../../../apps/pharmacy-alert/src/config';
import { EncounterWorkService, type EncounterEvent } from '../../../apps/pharmacy-alert/src/encounters/encounter-work.service';
import { EscalationWorker } from '../../../apps/pharmacy-alert/src/escalation/escalation.worker';
import { IdentityReviewRepository } from '../../../apps/pharmacy-alert/src/matching/identity-review.repository';
import { PatientMatcher } from '../../../apps/pharmacy-alert/src/matching/patient-matcher';
import { MIGRATIONS } from '../../../apps/pharmacy-alert/src/migrations';
import { PharmacistRepository } from '../../../apps/pharmacy-alert/src/pharmacists/pharmacist.repository';
import { RosterRepository } from '../../../apps/pharmacy-alert/src/roster/roster.repository';
import { RosterService } from '../../../apps/pharmacy-alert/src/roster/roster.service';
import { PharmacyEvents } from '../../../apps/pharmacy-alert/src/tasks/pharmacy-events';
import { RefillHoldRepository } from '../../../apps/pharmacy-alert/src/tasks/refill-hold.repository';
import { TaskRepository } from '../../../apps/pharmacy-alert/src/tasks/task.repository';
import type { TaskView } from '../../../apps/pharmacy-alert/src/tasks/task.views';
import { TimelineRepository } from '../../../apps/pharmacy-alert/src/timeline/timeline.repository';
import { WorkflowService } from '../../../apps/pharmacy-alert/src/workflow/workflow.service';
import { encounterEvent } from '../../e2e/support/encounter-events';

const HOUR_MS = 3_600_000;
const pharmacist: Principal = { id: 'pharm-ana', roles: ['pharmacist'], teams: ['team-1'] };
const noMedications = { homeMedications: [], startedInHospital: [], stopped: [], changed: [], discrepancies: [] };

describe('pharmacy-alert: regulatory clocks on discharge tasks', () => {
  const runId = newRunId();
  const url = databaseUrl(runId, 'pharmacy-clocks');
  let dataSource: DataSource;
  let attribution: AttributionIndex;
  let work: EncounterWorkService;
  let workflow: WorkflowService;
  let escalation: EscalationWorker;
  let rosterApi: RosterService;
  let tasks: TaskRepository;

  beforeAll(async () => {
    dataSource = await openDatabase({ url, serviceName: 'pharmacy-clocks', migrations: MIGRATIONS, poolSize: 4 });
    const unitOfWork = new UnitOfWork(dataSource);
    attribution = await AttributionIndex.start({ url, serviceName: 'pharmacy-alert', metrics: new MetricsRegistry() });
    const roster = new RosterRepository(unitOfWork);
    const pharmacists = new PharmacistRepository(dataSource);
    const events = new PharmacyEvents(new Outbox(new TopicNames('')));
    const timeline = new TimelineRepository(dataSource);
    tasks = new TaskRepository(dataSource);
    rosterApi = new RosterService(roster, attribution, new MetricsRegistry());
    const config = loadConfig(PharmacyAlertConfig, {
      FACILITY_TIME_ZONES: 'LGH=America/Chicago',
      BUSINESS_HOLIDAYS: '2026-11-26,2026-11-27',
      ESCALATION_CLOCKS: 'follow-up-24h,tcm-interactive-contact,hedis-medication-reconciliation',
    });
    work = new EncounterWorkService(
      unitOfWork,
      new PatientMatcher(roster),
      roster,
      pharmacists,
      tasks,
      new RefillHoldRepository(),
      new IdentityReviewRepository(dataSource),
      timeline,
      events,
      config,
      attribution,
    );
    workflow = new WorkflowService(unitOfWork, tasks, events, timeline);
    escalation = new EscalationWorker(unitOfWork, tasks, pharmacists, events, timeline, config);
    await pharmacists.upsert('pharm-ana', { teamId: 'team-1', role: 'pharmacist', languages: ['en'] });
    await pharmacists.upsert('lead-kim', { teamId: 'team-1', role: 'team-lead', languages: ['en'] });
  }, 30_000);

  afterAll(async () => {
    await attribution?.onApplicationShutdown();
    await dataSource?.destroy();
    await dropRunDatabases(runId);
  });

  /** Enrols a patient, sends their discharge and returns the task as the task API shows it. */
  const discharged = async (mrn: string, dischargedAt: string): Promise<TaskView> => {
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
      },
    ]);
    const event = encounterEvent('encounter.discharged', { mrn, visit: `V-${mrn}`, dischargedAt });
    expect(await work.handleRun(EventRun.of<EncounterEvent>([event]))).toEqual(['task-created']);
    const [{ patient_id }]: Array<{ patient_id: string }> = await dataSource.query('SELECT patient_id FROM patient_subjects WHERE subject = $1', [event.subject]);
    const [task] = await tasks.find({ patientId: patient_id });
    return task;
  };

  const clocksOf = (task: TaskView): Record<string, { dueAt: string; metAt: string | null; metBy: string | null; status: string }> =>
    Object.fromEntries(task.clocks.map(({ clock, ...rest }) => [clock, rest]));

  it('gives a discharge late on a Friday its clocks by the facility’s business calendar, in its time zone', async () => {
    // 22:30 on Friday 20 November in Chicago; Thanksgiving and the day after are holidays.
    const task = await discharged('MRN-CLOCK-FRIDAY', '2026-11-21T04:30:00.000Z');
    expect(task.clocks.map((clock) => [clock.clock, clock.dueAt])).toEqual([
      ['follow-up-24h', '2026-11-22T04:30:00.000Z'],
      ['tcm-interactive-contact', '2026-11-25T06:00:00.000Z'],
      ['tcm-face-to-face-7d', '2026-11-28T06:00:00.000Z'],
      ['tcm-face-to-face-14d', '2026-12-05T06:00:00.000Z'],
      ['hedis-medication-reconciliation', '2026-12-21T06:00:00.000Z'],
      ['hedis-engagement', '2026-12-21T06:00:00.000Z'],
    ]);
    expect(task.dueAt).toBe('2026-11-22T04:30:00.000Z');
  });

  it('skips the facility’s holidays when counting the TCM contact deadline', async () => {
    // 18:00 on Wednesday 25 November in Chicago: Thursday and Friday are holidays, so Monday and Tuesday count.
    const task = await discharged('MRN-CLOCK-HOLIDAY', '2026-11-26T00:00:00.000Z');
    expect(clocksOf(task)['tcm-interactive-contact'].dueAt).toBe('2026-12-02T06:00:00.000Z');
  });

  it('meets the TCM contact clock with two timely unsuccessful attempts, engagement with the contact and HEDIS reconciliation with the reconciliation, each with its time', async () => {
    const task = await discharged('MRN-CLOCK-WORK', '2026-11-21T04:30:00.000Z');

    await workflow.recordContact(task.id, pharmacist, { outcome: 'no-answer', attemptedAt: '2026-11-23T15:00:00.000Z' });
    expect(clocksOf((await tasks.find({ patientId: task.patientId }))[0])['tcm-interactive-contact']).toMatchObject({ metAt: null });
    await workflow.recordContact(task.id, pharmacist, { outcome: 'left-message', attemptedAt: '2026-11-24T15:00:00.000Z' });
    await workflow.recordContact(task.id, pharmacist, { outcome: 'reached', attemptedAt: '2026-11-24T20:00:00.000Z' });
    await workflow.reconcile(task.id, pharmacist, noMedications);
    const done = await workflow.complete(task.id, pharmacist, { outcome: 'reconciled' });

    const clocks = clocksOf(done);
    expect(clocks['tcm-interactive-contact']).toMatchObject({ metAt: '2026-11-24T15:00:00.000Z', metBy: 'contact-attempts', status: 'met' });
    expect(clocks['hedis-engagement']).toMatchObject({ metAt: '2026-11-24T20:00:00.000Z', metBy: 'interactive-contact', status: 'met' });
    expect(clocks['hedis-medication-reconciliation']).toMatchObject({ metBy: 'medication-reconciliation', status: 'met' });
    // Completed days after its 24 hours: met, but late.
    expect(clocks['follow-up-24h']).toMatchObject({ metAt: done.completedAt, metBy: 'completed', status: 'met-late' });
    expect(clocks['tcm-face-to-face-7d']).toMatchObject({ metAt: null, status: 'missed' });
  });

  it('meets the TCM contact clock late when the patient is first reached after the deadline', async () => {
    const task = await discharged('MRN-CLOCK-LATE', '2026-11-21T04:30:00.000Z');
    const after = await workflow.recordContact(task.id, pharmacist, { outcome: 'reached', attemptedAt: '2026-11-25T16:00:00.000Z' });
    expect(clocksOf(after)['tcm-interactive-contact']).toMatchObject({ metAt: '2026-11-25T16:00:00.000Z', metBy: 'interactive-contact', status: 'met-late' });
  });

  it('escalates against each configured clock, and not once that clock is met', async () => {
    const task = await discharged('MRN-CLOCK-LADDER', new Date(Date.now() - HOUR_MS).toISOString());
    const timers: Array<{ clock: string; step: string }> = await dataSource.query('SELECT clock, step FROM task_timers WHERE task_id = $1 ORDER BY fire_at, clock, step', [task.id]);
    expect(timers.map((timer) => `${timer.clock}:${timer.step}`).sort()).toEqual(
      [
        'follow-up-24h:reminder',
        'follow-up-24h:team-lead',
        'follow-up-24h:breach',
        'tcm-interactive-contact:team-lead',
        'tcm-interactive-contact:breach',
        'hedis-medication-reconciliation:team-lead',
        'hedis-medication-reconciliation:breach',
      ].sort(),
    );

    await workflow.recordContact(task.id, pharmacist, { outcome: 'reached' });
    await dataSource.query(`UPDATE task_timers SET fire_at = now() - interval '1 second' WHERE task_id = $1 AND step = 'team-lead' AND clock <> 'follow-up-24h'`, [task.id]);
    await escalation.fireDue();

    const escalated: Array<{ step: string; due_at: string }> = await dataSource.query(
      `SELECT payload::jsonb -> 'data' ->> 'step' AS step, payload::jsonb -> 'data' ->> 'dueAt' AS due_at FROM outbox
       WHERE event_type = 'pharmacy.task-escalated' AND payload::jsonb -> 'data' ->> 'taskId' = $1`,
      [task.id],
    );
    const reconciliationDue = clocksOf(task)['hedis-medication-reconciliation'].dueAt;
    expect(escalated).toEqual([{ step: 'team-lead', due_at: reconciliationDue }]);
    const titles: Array<{ title: string }> = await dataSource.query(
      `SELECT DISTINCT payload::jsonb -> 'data' ->> 'title' AS title FROM outbox
       WHERE event_type = 'notification.requested' AND payload::jsonb -> 'data' ->> 'itemId' = $1 AND payload::jsonb -> 'data' ->> 'urgency' = 'urgent'`,
      [task.id],
    );
    expect(titles.map((row) => row.title)).toEqual(['Escalation: HEDIS medication reconciliation at risk of missing its deadline']);
  });
});

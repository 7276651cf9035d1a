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
import { PharmacyError } from '../../../apps/pharmacy-alert/src/errors/pharmacy-error';
import { IdentityReviewRepository } from '../../../apps/pharmacy-alert/src/matching/identity-review.repository';
import { PatientMatcher } from '../../../apps/pharmacy-alert/src/matching/patient-matcher';
import { MIGRATIONS } from '../../../apps/pharmacy-alert/src/migrations';
import { PharmacistRepository } from '../../../apps/pharmacy-alert/src/pharmacists/pharmacist.repository';
import { QualityReportRepository } from '../../../apps/pharmacy-alert/src/quality/quality-report.repository';
import { QualityReportService } from '../../../apps/pharmacy-alert/src/quality/quality-report.service';
import { RosterRepository } from '../../../apps/pharmacy-alert/src/roster/roster.repository';
import { RosterService } from '../../../apps/pharmacy-alert/src/roster/roster.service';
import { PharmacyEvents } from '../../../apps/pharmacy-alert/src/tasks/pharmacy-events';
import { RefillHoldRepository } from '../../../apps/pharmacy-alert/src/tasks/refill-hold.repository';
import { TaskRepository } from '../../../apps/pharmacy-alert/src/tasks/task.repository';
import { TimelineRepository } from '../../../apps/pharmacy-alert/src/timeline/timeline.repository';
import { WorkflowService } from '../../../apps/pharmacy-alert/src/workflow/workflow.service';
import type { ContactAttemptDto } from '../../../apps/pharmacy-alert/src/workflow/workflow.dto';
import { encounterEvent } from '../../e2e/support/encounter-events';

const lead: Principal = { id: 'lead-kim', roles: ['team-lead'], teams: ['team-1'] };
const noMedications = { homeMedications: [], startedInHospital: [], stopped: [], changed: [], discrepancies: [] };
const november = { facility: 'LGH', teamId: 'team-1', from: '2026-11-01', to: '2026-11-30' };
// Every window of November's discharges has closed.
const reportedAt = new Date('2027-01-15T00:00:00Z');

interface FixtureDischarge {
  mrn: string;
  dischargedAt: string;
  teamId?: string;
  facility?: string;
  disposition?: string;
  calls?: ContactAttemptDto[];
  reconciledAt?: string;
  completeAs?: 'unreachable' | 'patient-declined';
}

/**
 * November 2026 at LGH (America/Chicago, CST after DST ends on 1 November), Thanksgiving and the
 * day after configured as holidays.
 */
const MONTH: FixtureDischarge[] = [
  // Monday 2 Nov 10:00, reached 4 h later, reconciled the next day.
  { mrn: 'Q-MON', dischargedAt: '2026-11-02T16:00:00Z', calls: [{ outcome: 'reached', attemptedAt: '2026-11-02T20:00:00Z' }], reconciledAt: '2026-11-03T18:00:00Z' },
  // Friday 6 Nov 22:00: reached Tuesday 09:00, on its second business day.
  { mrn: 'Q-FRI', dischargedAt: '2026-11-07T04:00:00Z', calls: [{ outcome: 'reached', attemptedAt: '2026-11-10T15:00:00Z' }], reconciledAt: '2026-11-10T16:00:00Z' },
  // Tuesday 10 Nov: two unanswered calls, closed as unreachable.
  {
    mrn: 'Q-UNREACH',
    dischargedAt: '2026-11-10T15:00:00Z',
    calls: [
      { outcome: 'no-answer', attemptedAt: '2026-11-10T20:00:00Z' },
      { outcome: 'no-answer', attemptedAt: '2026-11-11T20:00:00Z' },
    ],
    completeAs: 'unreachable',
  },
  // Thursday 12 Nov: the patient declined.
  { mrn: 'Q-DECLINE', dischargedAt: '2026-11-12T15:00:00Z', calls: [{ outcome: 'declined', attemptedAt: '2026-11-12T21:00:00Z' }], completeAs: 'patient-declined' },
  // Saturday 14 Nov: reached Wednesday, a day after its deadline (end of Tuesday).
  { mrn: 'Q-SAT', dischargedAt: '2026-11-14T18:00:00Z', calls: [{ outcome: 'reached', attemptedAt: '2026-11-18T16:00:00Z' }], reconciledAt: '2026-11-18T17:00:00Z' },
  // Monday 16 Nov: discharged to a skilled nursing facility.
  { mrn: 'Q-SNF', dischargedAt: '2026-11-16T15:00:00Z', disposition: '03' },
  // Wednesday 18 Nov: the patient died in hospital.
  { mrn: 'Q-EXPIRED', dischargedAt: '2026-11-18T15:00:00Z', disposition: '20' },
  // Wednesday 25 Nov 16:00, before Thanksgiving: reached Monday, in time only because of the holidays; never reconciled.
  { mrn: 'Q-HOLIDAY', dischargedAt: '2026-11-25T22:00:00Z', calls: [{ outcome: 'reached', attemptedAt: '2026-11-30T17:00:00Z' }] },
  // Monday 30 Nov 23:30 local, already 1 December in UTC: still November's.
  { mrn: 'Q-LAST', dischargedAt: '2026-12-01T05:30:00Z', calls: [{ outcome: 'reached', attemptedAt: '2026-12-01T21:00:00Z' }], reconciledAt: '2026-12-01T22:00:00Z' },
  // Not counted: 31 October 23:30 local (CDT), another team, another facility.
  { mrn: 'Q-OCTOBER', dischargedAt: '2026-11-01T04:30:00Z' },
  { mrn: 'Q-TEAM2', dischargedAt: '2026-11-03T15:00:00Z', teamId: 'team-2' },
  { mrn: 'Q-NSH', dischargedAt: '2026-11-04T15:00:00Z', facility: 'NSH' },
];

describe('pharmacy-alert: the discharge follow-up quality report', () => {
  const runId = newRunId();
  const url = databaseUrl(runId, 'pharmacy-quality');
  let dataSource: DataSource;
  let attribution: AttributionIndex;
  let quality: QualityReportService;

  beforeAll(async () => {
    dataSource = await openDatabase({ url, serviceName: 'pharmacy-quality', migrations: MIGRATIONS, poolSize: 4 });
    const unitOfWork = new UnitOfWork(dataSource);
    attribution = await AttributionIndex.start({ url, serviceName: 'pharmacy-alert', metrics: new MetricsRegistry() });
    const roster = new RosterRepository(unitOfWork);
    const pharmacists = new PharmacistRepository(dataSource);
    const events = new PharmacyEvents(new Outbox(new TopicNames('')));
    const timeline = new TimelineRepository(dataSource);
    const tasks = new TaskRepository(dataSource);
    const config = loadConfig(PharmacyAlertConfig, { FACILITY_TIME_ZONES: 'LGH=America/Chicago,NSH=America/Chicago', BUSINESS_HOLIDAYS: '2026-11-26,2026-11-27' });
    const work = new EncounterWorkService(
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
    const workflow = new WorkflowService(unitOfWork, tasks, events, timeline);
    quality = new QualityReportService(new QualityReportRepository(dataSource), config);
    await pharmacists.upsert('pharm-ana', { teamId: 'team-1', role: 'pharmacist', languages: ['en'] });
    const rosterApi = new RosterService(roster, attribution, new MetricsRegistry());
    await rosterApi.upsertRows(
      MONTH.map((fixture) => ({
        pharmacyPatientId: `SP-${fixture.mrn}`,
        familyName: 'TESTER',
        givenName: 'PAT',
        birthDate: '1968-04-12',
        sex: 'M',
        teamId: fixture.teamId ?? 'team-1',
        identifiers: [{ authority: 'LGH', value: fixture.mrn, type: 'MR' }],
      })),
    );

    const pharmacist: Principal = { id: 'pharm-ana', roles: ['pharmacist'], teams: ['team-1', 'team-2'] };
    for (const fixture of MONTH) {
      const event = encounterEvent('encounter.discharged', { mrn: fixture.mrn, visit: `V-${fixture.mrn}`, dischargedAt: fixture.dischargedAt, disposition: fixture.disposition });
      event.data.sendingFacility = fixture.facility ?? 'LGH';
      await work.handleRun(EventRun.of<EncounterEvent>([event]));
      const [task] = await tasks.find({ patientId: await patientOf(fixture.mrn) });
      for (const call of fixture.calls ?? []) {
        await workflow.recordContact(task.id, pharmacist, call);
      }
      if (fixture.reconciledAt) {
        await workflow.reconcile(task.id, pharmacist, { ...noMedications, reconciledAt: fixture.reconciledAt });
      }
      if (fixture.completeAs) {
        await workflow.complete(task.id, pharmacist, { outcome: fixture.completeAs });
      }
    }
  }, 60_000);

  afterAll(async () => {
    await attribution?.onApplicationShutdown();
    await dataSource?.destroy();
    await dropRunDatabases(runId);
  });

  const patientOf = async (mrn: string): Promise<string> => {
    const [{ id }]: Array<{ id: string }> = await dataSource.query('SELECT id FROM patients WHERE pharmacy_patient_id = $1', [`SP-${mrn}`]);
    return id;
  };

  it('counts a month’s discharges of one facility and team by local day, with contact times, shares and the misses with their reasons', async () => {
    const report = await quality.report(november, lead, reportedAt);
    expect(report).toMatchObject({
      facility: 'LGH',
      teamId: 'team-1',
      timeZone: 'America/Chicago',
      dischargesReceived: 9,
      contacted: 5,
      // 240, 930, 4980, 5640 and 6900 minutes.
      medianMinutesToFirstContact: 4980,
      p90MinutesToFirstContact: 6900,
      contactedWithin24Hours: { count: 2, share: 0.2222 },
      contactedWithin2BusinessDays: { count: 4, share: 0.4444 },
      reconciledWithin30Days: { count: 4, share: 0.4444 },
    });
    const episodes = report.misses.map((miss) => [miss.episodeKey, miss.missed.join(' '), miss.reason]);
    expect(episodes).toEqual([
      ['enc:LGH:V-Q-UNREACH', 'contacted-within-2-business-days reconciled-within-30-days', 'unreachable'],
      ['enc:LGH:V-Q-DECLINE', 'contacted-within-2-business-days reconciled-within-30-days', 'declined'],
      ['enc:LGH:V-Q-SAT', 'contacted-within-2-business-days', 'contacted-late'],
      ['enc:LGH:V-Q-SNF', 'contacted-within-2-business-days reconciled-within-30-days', 'moved-to-facility'],
      ['enc:LGH:V-Q-EXPIRED', 'contacted-within-2-business-days reconciled-within-30-days', 'expired'],
      ['enc:LGH:V-Q-HOLIDAY', 'reconciled-within-30-days', 'not-reconciled'],
    ]);
  });

  it('exports the same month as CSV, one row per discharge received', async () => {
    const rows = (await quality.csv(november, lead, reportedAt)).trimEnd().split('\r\n');
    expect(rows).toHaveLength(1 + 9);
    expect(rows[1]).toBe(
      `${await patientOf('Q-MON')},enc:LGH:V-Q-MON,${rows[1].split(',')[2]},2026-11-02T16:00:00.000Z,2026-11-02T20:00:00.000Z,240,true,true,true,,`,
    );
    expect(rows.filter((row) => row.endsWith(',expired'))).toEqual([expect.stringContaining(',enc:LGH:V-Q-EXPIRED,,2026-11-18T15:00:00.000Z,')]);
  });

  it('refuses a team the caller does not work in, and a period that runs backwards', async () => {
    await expect(quality.report({ ...november, teamId: 'team-2' }, lead, reportedAt)).rejects.toMatchObject({ code: 'TEAM_NOT_VISIBLE' });
    const backwards = quality.report({ ...november, from: '2026-11-30', to: '2026-11-01' }, lead, reportedAt);
    await expect(backwards).rejects.toBeInstanceOf(PharmacyError);
    await expect(backwards).rejects.toMatchObject({ code: 'INVALID_PERIOD' });
  });
});

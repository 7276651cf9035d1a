import { randomUUID } from 'node:crypto';
import { createEnvelope } from '@sc/contracts';
import type { KafkaEventsServer } from '@sc/messaging';
import { UnitOfWork, openDatabase, type DataSource, type EntityManager } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, newRunId, recordStatements } from '@sc/testing';
import { MIGRATIONS } from '../../../apps/pharmacy-alert/src/migrations';
import { RosterRepository } from '../../../apps/pharmacy-alert/src/roster/roster.repository';
import { TeamActivityRunPreparer } from '../../../apps/pharmacy-alert/src/team-activity/team-activity-run-preparer';
import { TeamActivityService } from '../../../apps/pharmacy-alert/src/team-activity/team-activity.service';
import { TimelineRepository } from '../../../apps/pharmacy-alert/src/timeline/timeline.repository';
import { insertRosterPatient } from './test-patients';

describe('pharmacy-alert team activity prepared for a run', () => {
  const runId = newRunId();
  let dataSource: DataSource;
  let unitOfWork: UnitOfWork;
  let roster: RosterRepository;
  let preparer: TeamActivityRunPreparer;
  let activity: TeamActivityService;

  beforeAll(async () => {
    dataSource = await openDatabase({ url: databaseUrl(runId, 'pharmacy-team-activity'), serviceName: 'pharmacy-team-activity', migrations: MIGRATIONS, poolSize: 4 });
    unitOfWork = new UnitOfWork(dataSource);
    roster = new RosterRepository(unitOfWork);
    // The server is only used to register the preparer at module init, which these tests do not run.
    preparer = new TeamActivityRunPreparer({} as KafkaEventsServer, roster);
    activity = new TeamActivityService(unitOfWork, roster, new TimelineRepository(dataSource));
  }, 30_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await dropRunDatabases(runId);
  });

  const newPatient = (): Promise<string> => insertRosterPatient(dataSource);

  const linkedSubject = async (patientId: string): Promise<string> => {
    const subject = `subj-${randomUUID()}`;
    await unitOfWork.run((manager) => roster.rememberSubject(manager, subject, patientId));
    return subject;
  };

  const gapClosed = (subject: string) =>
    createEnvelope(
      'care-gap.closed',
      { gapId: randomUUID(), gapType: 'home-bp-monitor', status: 'closed', reason: 'delivered', actorId: 'nurse-1' },
      { source: 'care-gap', subject, occurredAt: new Date().toISOString(), correlationId: randomUUID() },
    );

  const timelineOf = async (patientId: string): Promise<string[]> =>
    (await dataSource.query<Array<{ kind: string }>>('SELECT kind FROM timeline_entries WHERE patient_id = $1 ORDER BY occurred_at', [patientId])).map((row) => row.kind);

  it("looks up the patients of a run's events in one statement and records each on its patient's timeline", async () => {
    const first = await newPatient();
    const second = await newPatient();
    const events = [gapClosed(await linkedSubject(first)), gapClosed(await linkedSubject(second)), gapClosed(`subj-unrostered-${randomUUID()}`)];
    const statements: string[] = [];
    await unitOfWork.run(async (manager) => {
      await recordStatements(manager, statements);
      await preparer.prepare(manager, events);
      for (const event of events) {
        await activity.record(event);
      }
    });

    expect(statements.filter((text) => text.includes('subject'))).toEqual(['pharmacy-alert:patients-of-subjects']);
    expect(await timelineOf(first)).toEqual(['care-gap.closed']);
    expect(await timelineOf(second)).toEqual(['care-gap.closed']);
  });

  it('answers a link the same transaction learned after the lookup, as one written first would be', async () => {
    const patient = await newPatient();
    const subject = `subj-${randomUUID()}`;
    const answers = await unitOfWork.run(async (manager: EntityManager) => {
      await preparer.prepare(manager, [gapClosed(subject)]);
      const before = await roster.patientOfSubject(manager, subject);
      await roster.rememberSubject(manager, subject, patient);
      return { before, after: await roster.patientOfSubject(manager, subject) };
    });

    expect(answers).toEqual({ before: undefined, after: patient });
    const stored = await unitOfWork.run((manager) => roster.patientOfSubject(manager, subject));
    expect(stored).toBe(patient);
  });
});

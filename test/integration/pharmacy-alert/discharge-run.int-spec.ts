import { randomUUID } from 'node:crypto';
import { UnitOfWork, openDatabase, type DataSource, type EntityManager } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, newRunId, recordStatements } from '@sc/testing';
import { MIGRATIONS } from '../../../apps/pharmacy-alert/src/migrations';
import { DISCHARGE_KINDS } from '../../../apps/pharmacy-alert/src/tasks/discharge-plan';
import { RefillHoldRepository } from '../../../apps/pharmacy-alert/src/tasks/refill-hold.repository';
import { TaskRepository, type NewTask } from '../../../apps/pharmacy-alert/src/tasks/task.repository';
import { insertRosterPatient } from './test-patients';

const DAY_MS = 86_400_000;

describe('pharmacy-alert discharges prepared for a run', () => {
  const runId = newRunId();
  let dataSource: DataSource;
  let unitOfWork: UnitOfWork;
  let tasks: TaskRepository;
  const holds = new RefillHoldRepository();

  beforeAll(async () => {
    dataSource = await openDatabase({ url: databaseUrl(runId, 'pharmacy-discharge-run'), serviceName: 'pharmacy-discharge-run', migrations: MIGRATIONS, poolSize: 4 });
    unitOfWork = new UnitOfWork(dataSource);
    tasks = new TaskRepository(dataSource);
  }, 30_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await dropRunDatabases(runId);
  });

  const newPatient = (): Promise<string> => insertRosterPatient(dataSource);

  const task = (patientId: string, episodeKey: string, kind: NewTask['kind'] = 'discharge-call'): NewTask => ({
    id: randomUUID(),
    patientId,
    kind,
    episodeKey,
    correlationId: episodeKey,
    subject: `pt-${patientId}`,
    priority: 'routine',
    dischargedAt: new Date(),
    dueAt: new Date(Date.now() + DAY_MS),
    assigneeId: 'pharm-1',
    teamId: 'team-1',
    sourceEventId: randomUUID(),
    matchMethod: 'identifier',
    location: null,
  });

  const lookup = (patientId: string, episodeKey: string) => ({ patientId, episodeKey, admissionsSince: new Date(Date.now() - 30 * DAY_MS) });

  /** Runs `work` in a UnitOfWork transaction, recording each statement it sends (a named statement by its name). */
  const recorded = async <T>(work: (manager: EntityManager, sent: readonly string[]) => Promise<T>): Promise<{ value: T; statements: string[] }> => {
    const statements: string[] = [];
    const value = await unitOfWork.run(async (manager) => {
      await recordStatements(manager, statements);
      return work(manager, statements);
    });
    return { value, statements };
  };

  it('answers holds, recent admissions and task creation from two lookups, and writes the tasks, releases and timers at commit', async () => {
    const readmitted = await newPatient();
    const firstTime = await newPatient();
    const heldId = await unitOfWork.run((manager) => holds.place(manager, readmitted, 'enc:admission', new Date()));
    await unitOfWork.run((manager) => tasks.insert(manager, task(readmitted, 'enc:admission', 'admission-alert')));
    const readmission = task(readmitted, 'enc:readmission');
    const first = task(firstTime, 'enc:first');

    const { value, statements } = await recorded(async (manager, sent) => {
      await holds.prepareHolds(manager, [readmitted, firstTime]);
      await tasks.prepareEpisodes(manager, [lookup(readmitted, 'enc:readmission'), lookup(firstTime, 'enc:first')], DISCHARGE_KINDS);
      const prepared = sent.length;
      const answers = {
        released: [await holds.release(manager, readmitted, 'discharged'), await holds.release(manager, firstTime, 'discharged')],
        recentAdmissions: [await tasks.recentAdmissions(manager, readmitted, lookup(readmitted, '').admissionsSince), await tasks.recentAdmissions(manager, firstTime, lookup(firstTime, '').admissionsSince)],
        created: [await tasks.insert(manager, readmission), await tasks.insert(manager, first)],
      };
      await tasks.scheduleTimers(manager, readmission.id, [{ step: 'reminder', fireAt: new Date(Date.now() + DAY_MS) }]);
      return { answers, handlerStatements: sent.length - prepared };
    });

    expect(value.answers).toEqual({ released: [[heldId], []], recentAdmissions: [1, 0], created: [true, true] });
    expect(value.handlerStatements).toBe(0);
    expect(statements.filter((text) => text.startsWith('pharmacy-alert:'))).toEqual([
      'pharmacy-alert:lock-run-holds',
      'pharmacy-alert:change-holds',
      'pharmacy-alert:insert-new-tasks',
      'pharmacy-alert:schedule-timers',
    ]);
    expect(await holds.forPatient(dataSource.manager, readmitted)).toEqual([{ id: heldId, status: 'released', reason: 'discharged', episodeKey: 'enc:admission' }]);
    const stored: Array<{ id: string; kind: string }> = await dataSource.query('SELECT id, kind FROM tasks WHERE id = ANY($1::uuid[]) ORDER BY kind', [[readmission.id, first.id]]);
    expect(stored).toHaveLength(2);
    const timers: Array<{ task_id: string }> = await dataSource.query('SELECT task_id FROM task_timers WHERE task_id = $1', [readmission.id]);
    expect(timers).toEqual([{ task_id: readmission.id }]);
  });

  it("answers a run's admissions from the same two lookups and writes their alerts and holds at commit, a released hold held again under its id", async () => {
    const [fresh, returning, stillHeld] = [await newPatient(), await newPatient(), await newPatient()];
    const releasedId = await unitOfWork.run((manager) => holds.place(manager, returning, 'enc:back', new Date()));
    await unitOfWork.run((manager) => holds.release(manager, returning, 'admission-cancelled', 'enc:back'));
    const heldId = await unitOfWork.run((manager) => holds.place(manager, stillHeld, 'enc:held', new Date()));
    const admissions = [lookup(fresh, 'enc:new'), lookup(returning, 'enc:back'), lookup(stillHeld, 'enc:held')];

    const { value, statements } = await recorded(async (manager, sent) => {
      await holds.prepareHolds(manager, [fresh, returning, stillHeld], admissions);
      await tasks.prepareEpisodes(manager, admissions, [...DISCHARGE_KINDS, 'admission-alert']);
      const prepared = sent.length;
      const created: boolean[] = [];
      const placed: Array<string | undefined> = [];
      for (const admission of admissions) {
        created.push(await tasks.insert(manager, task(admission.patientId, admission.episodeKey, 'admission-alert')));
        placed.push(await holds.place(manager, admission.patientId, admission.episodeKey, new Date()));
      }
      return { created, placed, handlerStatements: sent.length - prepared };
    });

    expect(value.handlerStatements).toBe(0);
    expect(value.created).toEqual([true, true, true]);
    expect(value.placed).toEqual([expect.any(String), releasedId, undefined]);
    expect(statements.filter((text) => text.startsWith('pharmacy-alert:'))).toEqual([
      'pharmacy-alert:lock-run-holds',
      'pharmacy-alert:insert-new-tasks',
      'pharmacy-alert:change-holds',
    ]);
    expect(await holds.forPatient(dataSource.manager, fresh)).toEqual([{ id: value.placed[0], status: 'held', reason: 'inpatient', episodeKey: 'enc:new' }]);
    expect(await holds.forPatient(dataSource.manager, returning)).toEqual([{ id: releasedId, status: 'held', reason: 'inpatient', episodeKey: 'enc:back' }]);
    expect(await holds.forPatient(dataSource.manager, stillHeld)).toEqual([{ id: heldId, status: 'held', reason: 'inpatient', episodeKey: 'enc:held' }]);
  });

  it('fails the transaction, leaving none of its rows, when a hold of an admitted episode was stored after the lookup', async () => {
    const patient = await newPatient();
    const admission = lookup(patient, 'enc:hold-raced');
    await expect(
      unitOfWork.run(async (manager) => {
        await holds.prepareHolds(manager, [patient], [admission]);
        await tasks.prepareEpisodes(manager, [admission], [...DISCHARGE_KINDS, 'admission-alert']);
        expect(await tasks.insert(manager, task(patient, 'enc:hold-raced', 'admission-alert'))).toBe(true);
        // Another transaction places the episode's hold first.
        await holds.place(dataSource.manager, patient, 'enc:hold-raced', new Date());
        expect(await holds.place(manager, patient, 'enc:hold-raced', new Date())).toEqual(expect.any(String));
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await dataSource.query('SELECT kind FROM tasks WHERE patient_id = $1', [patient])).toEqual([]);
    expect(await holds.forPatient(dataSource.manager, patient)).toHaveLength(1);
  });

  it('answers an episode that already has a task of the kind as a duplicate, without a statement', async () => {
    const patient = await newPatient();
    await unitOfWork.run((manager) => tasks.insert(manager, task(patient, 'enc:resent')));
    const resent = task(patient, 'enc:resent');
    const { value, statements } = await recorded(async (manager) => {
      await tasks.prepareEpisodes(manager, [lookup(patient, 'enc:resent')], DISCHARGE_KINDS);
      return tasks.insert(manager, resent);
    });
    expect(value).toBe(false);
    expect(statements.filter((text) => text.includes('tasks'))).toHaveLength(1);
    expect(await dataSource.query('SELECT 1 FROM tasks WHERE id = $1', [resent.id])).toEqual([]);
  });

  it('fails the transaction, leaving none of its rows, when a task of the kind was stored after the lookup', async () => {
    const patient = await newPatient();
    const late = task(patient, 'enc:raced');
    const meanwhile = task(patient, 'enc:raced');
    await expect(
      unitOfWork.run(async (manager) => {
        await tasks.prepareEpisodes(manager, [lookup(patient, 'enc:raced')], DISCHARGE_KINDS);
        // Another transaction (an identity review resolved over HTTP) stores the episode's task first.
        await tasks.insert(dataSource.manager, meanwhile);
        expect(await tasks.insert(manager, late)).toBe(true);
        await tasks.scheduleTimers(manager, late.id, [{ step: 'reminder', fireAt: new Date() }]);
      }),
    ).rejects.toThrow(/duplicate key/);
    const stored: Array<{ id: string }> = await dataSource.query('SELECT id FROM tasks WHERE episode_key = $1', ['enc:raced']);
    expect(stored).toEqual([{ id: meanwhile.id }]);
  });

  it('writes timers deferred before a pending task after that task at commit', async () => {
    const patient = await newPatient();
    const unprepared = task(patient, 'enc:unprepared');
    const prepared = task(patient, 'enc:prepared');
    await unitOfWork.run(async (manager) => {
      // The unprepared task is stored at once and its timers are the first rows deferred; the prepared task is deferred after them.
      await tasks.insert(manager, unprepared);
      await tasks.scheduleTimers(manager, unprepared.id, [{ step: 'reminder', fireAt: new Date() }]);
      await tasks.prepareEpisodes(manager, [lookup(patient, 'enc:prepared')], DISCHARGE_KINDS);
      await tasks.insert(manager, prepared);
      await tasks.scheduleTimers(manager, prepared.id, [{ step: 'reminder', fireAt: new Date() }]);
    });
    const timers: Array<{ task_id: string }> = await dataSource.query('SELECT task_id FROM task_timers WHERE task_id = ANY($1::uuid[])', [[unprepared.id, prepared.id]]);
    expect(timers.map((row) => row.task_id).sort()).toEqual([unprepared.id, prepared.id].sort());
  });

  it('writes pending tasks before a statement reads their episode, and keeps them pending past statements on other episodes and patients', async () => {
    const [patient, other, third] = [await newPatient(), await newPatient(), await newPatient()];
    const prepared = task(patient, 'enc:read-back');
    const neighbour = task(other, 'enc:read-back-neighbour');
    const statements: string[] = [];
    const open = await unitOfWork.run(async (manager) => {
      await tasks.prepareEpisodes(manager, [lookup(patient, 'enc:read-back'), lookup(other, 'enc:read-back-neighbour')], DISCHARGE_KINDS);
      await tasks.insert(manager, prepared);
      await tasks.insert(manager, neighbour);
      const stop = await recordStatements(manager, statements);
      // An A08 for another episode, an A03 of another patient's unprepared episode, another patient's admissions.
      await tasks.relocateOpenWork(manager, 'enc:elsewhere', DISCHARGE_KINDS, 'ICU^1');
      await tasks.insert(manager, task(third, 'enc:unprepared-elsewhere'));
      await tasks.recentAdmissions(manager, other, new Date(0));
      expect(statements.filter((statement) => statement === 'pharmacy-alert:insert-new-tasks')).toEqual([]);
      const read = await tasks.openForEpisode(manager, 'enc:read-back', DISCHARGE_KINDS);
      stop();
      return read;
    });
    expect(open.map((row) => row.id)).toEqual([prepared.id]);
    expect(statements.filter((statement) => statement === 'pharmacy-alert:insert-new-tasks')).toEqual(['pharmacy-alert:insert-new-tasks']);
    const stored: Array<{ id: string }> = await dataSource.query('SELECT id FROM tasks WHERE id = ANY($1::uuid[])', [[prepared.id, neighbour.id]]);
    expect(stored).toHaveLength(2);
  });

  it("moves an episode's open tasks of the kinds asked, pending ones included, and no other task, in one statement", async () => {
    const patient = await newPatient();
    const [pending, stored, otherKind, closed] = [
      task(patient, 'enc:moved'),
      task(patient, 'enc:moved', 'admission-alert'),
      task(patient, 'enc:moved', 'chart-review'),
      task(patient, 'enc:moved-closed'),
    ];
    await unitOfWork.run(async (manager) => {
      await tasks.insert(manager, stored);
      await tasks.insert(manager, otherKind);
      await tasks.insert(manager, closed);
    });
    await unitOfWork.run((manager) => tasks.cancel(manager, closed.id, 'test'));
    const statements: string[] = [];
    await unitOfWork.run(async (manager) => {
      await tasks.prepareEpisodes(manager, [lookup(patient, 'enc:moved')], DISCHARGE_KINDS);
      await tasks.insert(manager, pending);
      const stop = await recordStatements(manager, statements);
      await tasks.relocateOpenWork(manager, 'enc:moved', ['admission-alert', 'discharge-call'], 'ICU-4-B');
      await tasks.relocateOpenWork(manager, 'enc:moved-closed', ['discharge-call'], 'ICU-4-B');
      stop();
    });
    expect(statements).toEqual(['pharmacy-alert:insert-new-tasks', 'pharmacy-alert:relocate-open-work', 'pharmacy-alert:relocate-open-work']);
    const rows: Array<{ id: string; location: string | null }> = await dataSource.query('SELECT id, location FROM tasks WHERE patient_id = $1', [patient]);
    const locations = Object.fromEntries(rows.map((row) => [row.id, row.location]));
    expect(locations).toEqual({ [pending.id]: 'ICU-4-B', [stored.id]: 'ICU-4-B', [otherKind.id]: null, [closed.id]: null });
  });

  it('counts an admission alert the transaction creates after the lookup', async () => {
    const patient = await newPatient();
    const count = await unitOfWork.run(async (manager) => {
      await tasks.prepareEpisodes(manager, [lookup(patient, 'enc:after-admission')], DISCHARGE_KINDS);
      await tasks.insert(manager, task(patient, 'enc:same-run-admission', 'admission-alert'));
      return tasks.recentAdmissions(manager, patient, lookup(patient, '').admissionsSince);
    });
    expect(count).toBe(1);
  });

  it('writes a pending release before a hold is placed again in the same transaction', async () => {
    const patient = await newPatient();
    const heldId = await unitOfWork.run((manager) => holds.place(manager, patient, 'enc:bounce', new Date()));
    const replaced = await unitOfWork.run(async (manager) => {
      await holds.prepareHolds(manager, [patient]);
      expect(await holds.release(manager, patient, 'discharged')).toEqual([heldId]);
      // A13: the discharge is cancelled in the same run, so the patient is an inpatient again.
      return holds.place(manager, patient, 'enc:bounce', new Date());
    });
    expect(replaced).toBe(heldId);
    expect(await holds.forPatient(dataSource.manager, patient)).toEqual([{ id: heldId, status: 'held', reason: 'inpatient', episodeKey: 'enc:bounce' }]);
  });
});

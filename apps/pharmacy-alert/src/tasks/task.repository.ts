import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { TaskKind, TaskOutcome } from '@sc/contracts';
import { columnArrays, flushDeferred, flushDeferredIf, forgetInTransaction, preparedQuery, recallInTransaction, rememberInTransaction, writeBehind, type DeferredWrite } from '@sc/persistence';
import type { TaskView } from './task.views';

/** Inserts tasks given as column arrays (see {@link taskColumns}), one row per array element. */
const INSERT_TASKS = `INSERT INTO tasks (id, patient_id, kind, status, episode_key, correlation_id, priority, discharged_at, due_at,
                          assignee_id, team_id, source_event_id, match_method, location, subject)
       SELECT id, patient_id, kind, 'open', episode_key, correlation_id, priority, discharged_at, due_at,
              assignee_id, team_id, source_event_id, match_method, location, subject
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[],
                   $9::text[], $10::text[], $11::uuid[], $12::text[], $13::text[], $14::text[])
         AS task(id, patient_id, kind, episode_key, correlation_id, priority, discharged_at, due_at,
                 assignee_id, team_id, source_event_id, match_method, location, subject)`;

const taskColumns = (rows: readonly NewTask[]): unknown[] => {
  const column = <K extends keyof NewTask>(key: K): Array<NewTask[K]> => rows.map((row) => row[key]);
  return [
    column('id'),
    column('patientId'),
    column('kind'),
    column('episodeKey'),
    column('correlationId'),
    column('priority'),
    column('dischargedAt'),
    column('dueAt'),
    column('assigneeId'),
    column('teamId'),
    column('sourceEventId'),
    column('matchMethod'),
    column('location'),
    column('subject'),
  ];
};

/**
 * A task whose episode the run's preparer looked up (see {@link TaskRepository.prepareEpisodes}):
 * the transaction knows the episode has no task of its kind, so the row waits for commit. It has
 * no ON CONFLICT: a task of the kind stored meanwhile fails the transaction (which is then
 * retried one event at a time) rather than announcing a task that was never stored. Every other
 * statement on tasks first writes the pending ones of its task, episode or patient; writing all
 * of them made a run's tasks one insert each (1,793 inserts of one row in 20 s of a 500 msg/s feed).
 */
const newTasks: DeferredWrite<NewTask> = {
  key: 'pharmacy-alert:new-tasks',
  async write(manager, rows) {
    await preparedQuery(manager, 'pharmacy-alert:insert-new-tasks', INSERT_TASKS, taskColumns(rows));
  },
};

/** Nothing reads a task's timers in the transaction that schedules them; only a cancel or completion deletes them. */
const taskTimers: DeferredWrite<{ taskId: string; step: string; fireAt: Date }> = {
  key: 'pharmacy-alert:task-timers',
  async write(manager, rows) {
    // Timers reference their task, which may be waiting for commit too.
    await flushDeferred(manager, newTasks);
    await preparedQuery(
      manager,
      'pharmacy-alert:schedule-timers',
      `INSERT INTO task_timers (task_id, step, fire_at) SELECT task_id, step, fire_at FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS timer(task_id, step, fire_at)
       ON CONFLICT DO NOTHING`,
      columnArrays(rows, [(row) => row.taskId, (row) => row.step, (row) => row.fireAt]),
    );
  },
};

interface TaskRow {
  id: string;
  patient_id: string;
  kind: TaskKind;
  status: string;
  priority: string;
  discharged_at: Date | null;
  due_at: Date;
  assignee_id: string | null;
  team_id: string | null;
  correlation_id: string;
  episode_key: string;
  subject: string;
  match_method: string;
  location: string | null;
  acknowledged_at: Date | null;
  completed_at: Date | null;
  outcome: string | null;
  status_reason: string | null;
  created_at: Date;
}

const toView = (row: TaskRow): TaskView => ({
  id: row.id,
  patientId: row.patient_id,
  kind: row.kind,
  status: row.status,
  priority: row.priority,
  dischargedAt: row.discharged_at?.toISOString() ?? null,
  dueAt: row.due_at.toISOString(),
  assigneeId: row.assignee_id,
  teamId: row.team_id,
  correlationId: row.correlation_id,
  subject: row.subject,
  matchMethod: row.match_method,
  location: row.location,
  acknowledgedAt: row.acknowledged_at?.toISOString() ?? null,
  completedAt: row.completed_at?.toISOString() ?? null,
  outcome: row.outcome,
  statusReason: row.status_reason,
  createdAt: row.created_at.toISOString(),
});

export const OPEN_STATUSES = ['open', 'acknowledged'] as const;

/** What a discharge's or an admission's handler asks of the tasks table, looked up for a whole run at once. */
export interface EpisodeLookup {
  patientId: string;
  episodeKey: string;
  /** Start of the window in which the patient's admissions count as recent. */
  admissionsSince: Date;
}

/** The episode's task kinds stored (or pending) in this transaction, of the kinds looked up. */
interface EpisodeKinds {
  readonly lookedUp: ReadonlySet<TaskKind>;
  readonly stored: Set<TaskKind>;
}

/** Creation times of the patient's admission alerts since `since`. */
interface AdmissionTimes {
  readonly since: Date;
  readonly createdAt: Date[];
}

const episodeKindsKey = (episodeKey: string): string => `pharmacy-alert:episode-kinds:${episodeKey}`;
const admissionTimesKey = (patientId: string): string => `pharmacy-alert:admission-times:${patientId}`;

export interface NewTask {
  id: string;
  patientId: string;
  kind: TaskKind;
  episodeKey: string;
  correlationId: string;
  subject: string;
  priority: string;
  dischargedAt: Date | null;
  dueAt: Date;
  assigneeId: string | null;
  teamId: string | null;
  sourceEventId: string;
  matchMethod: string;
  location: string | null;
}

export interface TaskFilter {
  assigneeId?: string;
  teamId?: string;
  status?: string;
  patientId?: string;
  /** Limits the result to these teams (team-scoped callers); undefined means every team. */
  teamIds?: string[];
}

@Injectable()
export class TaskRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Inserts the task unless the episode already has one of this kind; returns whether it was
   * created. When the run's preparer looked the episode up, the answer comes from memory and the
   * row is written at commit.
   */
  async insert(manager: EntityManager, task: NewTask): Promise<boolean> {
    const known = await recallInTransaction<EpisodeKinds>(manager, episodeKindsKey(task.episodeKey));
    if (task.kind === 'admission-alert') {
      forgetInTransaction(manager, admissionTimesKey(task.patientId));
    }
    if (known?.lookedUp.has(task.kind)) {
      if (known.stored.has(task.kind)) {
        return false;
      }
      known.stored.add(task.kind);
      await writeBehind(manager, newTasks, [task]);
      return true;
    }
    await flushDeferredIf(manager, newTasks, (pending) => pending.kind === task.kind && pending.episodeKey === task.episodeKey);
    forgetInTransaction(manager, episodeKindsKey(task.episodeKey));
    const rows = await preparedQuery(manager, 'pharmacy-alert:insert-task', `${INSERT_TASKS} ON CONFLICT (kind, episode_key) DO NOTHING RETURNING id`, taskColumns([task]));
    return rows.length === 1;
  }

  async find(filter: TaskFilter): Promise<TaskView[]> {
    const rows: TaskRow[] = await this.dataSource.query(
      `SELECT * FROM tasks
       WHERE ($1::text IS NULL OR assignee_id = $1) AND ($2::text IS NULL OR team_id = $2) AND ($3::text IS NULL OR status = $3)
         AND ($4::uuid IS NULL OR patient_id = $4) AND ($5::text[] IS NULL OR team_id = ANY($5))
       ORDER BY due_at, created_at LIMIT 500`,
      [filter.assigneeId ?? null, filter.teamId ?? null, filter.status ?? null, filter.patientId ?? null, filter.teamIds ?? null],
    );
    return rows.map(toView);
  }

  async findById(manager: EntityManager, id: string, options: { lock?: boolean } = {}): Promise<TaskView | undefined> {
    await flushDeferredIf(manager, newTasks, (pending) => pending.id === id);
    const rows: TaskRow[] = await manager.query(`SELECT * FROM tasks WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows.length === 1 ? toView(rows[0]) : undefined;
  }

  /** Open tasks of an episode (optionally of some kinds), locked for the caller's transaction. */
  async openForEpisode(manager: EntityManager, episodeKey: string, kinds: readonly TaskKind[]): Promise<TaskView[]> {
    await flushDeferredIf(manager, newTasks, (pending) => pending.episodeKey === episodeKey);
    const rows: TaskRow[] = await manager.query(
      `SELECT * FROM tasks WHERE episode_key = $1 AND kind = ANY($2::text[]) AND status = ANY($3::text[]) FOR UPDATE`,
      [episodeKey, kinds, OPEN_STATUSES],
    );
    return rows.map(toView);
  }

  async openForPatient(manager: EntityManager, patientId: string): Promise<TaskView[]> {
    await flushDeferredIf(manager, newTasks, (pending) => pending.patientId === patientId);
    const rows: TaskRow[] = await manager.query(`SELECT * FROM tasks WHERE patient_id = $1 AND status = ANY($2::text[]) FOR UPDATE`, [
      patientId,
      OPEN_STATUSES,
    ]);
    return rows.map(toView);
  }

  async cancel(manager: EntityManager, taskId: string, reason: string): Promise<void> {
    await flushDeferredIf(manager, taskTimers, (pending) => pending.taskId === taskId);
    await flushDeferredIf(manager, newTasks, (pending) => pending.id === taskId);
    await manager.query(`UPDATE tasks SET status = 'cancelled', status_reason = $2, updated_at = now() WHERE id = $1`, [taskId, reason]);
    await manager.query('DELETE FROM task_timers WHERE task_id = $1 AND fired_at IS NULL', [taskId]);
  }

  async acknowledge(manager: EntityManager, taskId: string, actorId: string): Promise<void> {
    await flushDeferredIf(manager, newTasks, (pending) => pending.id === taskId);
    await manager.query(
      `UPDATE tasks SET status = 'acknowledged', acknowledged_at = now(), acknowledged_by = $2, updated_at = now() WHERE id = $1 AND status = 'open'`,
      [taskId, actorId],
    );
  }

  async complete(manager: EntityManager, taskId: string, actorId: string, outcome: TaskOutcome): Promise<Date> {
    await flushDeferredIf(manager, taskTimers, (pending) => pending.taskId === taskId);
    await flushDeferredIf(manager, newTasks, (pending) => pending.id === taskId);
    const [rows]: [Array<{ completed_at: Date }>, number] = await manager.query(
      `UPDATE tasks SET status = 'completed', completed_at = now(), completed_by = $2, outcome = $3, updated_at = now()
       WHERE id = $1 RETURNING completed_at`,
      [taskId, actorId, outcome],
    );
    await manager.query('DELETE FROM task_timers WHERE task_id = $1 AND fired_at IS NULL', [taskId]);
    return rows[0].completed_at;
  }

  /** A02/A08: the episode's open tasks of `kinds` are where the patient now is; one statement, which locks them as it updates them. */
  async relocateOpenWork(manager: EntityManager, episodeKey: string, kinds: readonly TaskKind[], location: string | null): Promise<void> {
    await flushDeferredIf(manager, newTasks, (pending) => pending.episodeKey === episodeKey);
    await preparedQuery(
      manager,
      'pharmacy-alert:relocate-open-work',
      'UPDATE tasks SET location = $3, updated_at = now() WHERE episode_key = $1 AND kind = ANY($2::text[]) AND status = ANY($4::text[])',
      [episodeKey, kinds, location, OPEN_STATUSES],
    );
  }

  /** Moves open work from one roster patient to another (A40 merge). */
  async moveOpenWork(manager: EntityManager, fromPatientId: string, toPatientId: string): Promise<string[]> {
    await flushDeferredIf(manager, newTasks, (pending) => pending.patientId === fromPatientId);
    forgetInTransaction(manager, admissionTimesKey(fromPatientId));
    forgetInTransaction(manager, admissionTimesKey(toPatientId));
    const [rows]: [Array<{ id: string }>, number] = await manager.query(
      `UPDATE tasks SET patient_id = $2, updated_at = now() WHERE patient_id = $1 AND status = ANY($3::text[]) RETURNING id`,
      [fromPatientId, toPatientId, OPEN_STATUSES],
    );
    return rows.map((row) => row.id);
  }

  /** Written at commit with the transaction's other timers; the statements that delete a task's timers write them first. */
  async scheduleTimers(manager: EntityManager, taskId: string, timers: Array<{ step: string; fireAt: Date }>): Promise<void> {
    await writeBehind(
      manager,
      taskTimers,
      timers.map((timer) => ({ taskId, ...timer })),
    );
  }

  async recentAdmissions(manager: EntityManager, patientId: string, since: Date): Promise<number> {
    const known = await recallInTransaction<AdmissionTimes>(manager, admissionTimesKey(patientId));
    if (known && known.since.getTime() <= since.getTime()) {
      return known.createdAt.filter((createdAt) => createdAt.getTime() >= since.getTime()).length;
    }
    await flushDeferredIf(manager, newTasks, (pending) => pending.patientId === patientId && pending.kind === 'admission-alert');
    const rows: Array<{ count: string }> = await manager.query(
      `SELECT count(*) FROM tasks WHERE patient_id = $1 AND kind = 'admission-alert' AND created_at >= $2`,
      [patientId, since],
    );
    return Number(rows[0].count);
  }

  /**
   * Looks up, for a run's discharges and admissions in one statement, what their handlers ask of
   * the tasks table (the episode's tasks of `kinds`, the patient's recent admission alerts), and
   * remembers it for the transaction: {@link insert} and {@link recentAdmissions} then answer from
   * memory. Only for events whose patient and episode no other event of the run touches.
   */
  async prepareEpisodes(manager: EntityManager, episodes: readonly EpisodeLookup[], kinds: readonly TaskKind[]): Promise<void> {
    if (episodes.length === 0) {
      return;
    }
    await flushDeferred(manager, newTasks);
    // Unnamed, so planned for each run: a generic plan made while tasks was small could scan it whole (see preparedQuery).
    const rows: Array<{ patient_id: string; episode_key: string; since: Date; admissions: Date[]; kinds: TaskKind[] }> = await manager.query(
      `SELECT run.patient_id, run.episode_key, run.since,
              ARRAY(SELECT t.created_at FROM tasks t
                    WHERE t.patient_id = run.patient_id AND t.kind = 'admission-alert' AND t.created_at >= run.since) AS admissions,
              ARRAY(SELECT t.kind FROM tasks t WHERE t.episode_key = run.episode_key AND t.kind = ANY($4::text[])) AS kinds
       FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS run(patient_id, episode_key, since)`,
      [episodes.map((episode) => episode.patientId), episodes.map((episode) => episode.episodeKey), episodes.map((episode) => episode.admissionsSince), kinds],
    );
    const lookedUp = new Set(kinds);
    for (const row of rows) {
      rememberInTransaction<EpisodeKinds>(manager, episodeKindsKey(row.episode_key), { lookedUp, stored: new Set(row.kinds) });
      rememberInTransaction<AdmissionTimes>(manager, admissionTimesKey(row.patient_id), { since: row.since, createdAt: row.admissions });
    }
  }
}

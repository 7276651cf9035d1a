import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { TaskKind, TaskOutcome } from '@sc/contracts';
import { preparedQuery } from '@sc/persistence';
import { CLOCKS, CLOCKS_MET_BY, TCM_ATTEMPTS_REQUIRED, clockStatus, type ClockDeadline, type ClockEvidence, type ClockName } from './regulatory-clocks';
import type { ClockView, TaskView } from './task.views';

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

/** A task row with its clocks, one JSON array per task. */
const SELECT_TASKS = `SELECT tasks.*,
    (SELECT coalesce(json_agg(json_build_object('clock', c.clock, 'dueAt', c.due_at, 'metAt', c.met_at, 'metBy', c.met_by)), '[]'::json)
     FROM task_clocks c WHERE c.task_id = tasks.id) AS clocks
  FROM tasks`;

interface ClockRow {
  clock: ClockName;
  dueAt: string;
  metAt: string | null;
  metBy: ClockEvidence | null;
}

const toClockView = (row: ClockRow, now: Date): ClockView => {
  const dueAt = new Date(row.dueAt);
  const metAt = row.metAt === null ? null : new Date(row.metAt);
  return { clock: row.clock, dueAt: dueAt.toISOString(), metAt: metAt?.toISOString() ?? null, metBy: row.metBy, status: clockStatus(dueAt, metAt, now) };
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
  clocks: ClockRow[];
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
  clocks: row.clocks.map((clock) => toClockView(clock, new Date())).sort((a, b) => CLOCKS.indexOf(a.clock) - CLOCKS.indexOf(b.clock)),
});

export const OPEN_STATUSES = ['open', 'acknowledged'] as const;

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

export interface DischargeReceived {
  episodeKey: string;
  patientId: string;
  teamId: string | null;
  /** The sending facility (MSH-4). */
  facility: string;
  dischargedAt: Date;
  /** `task` when the discharge became a task, `expired` when the patient died and no outreach was planned. */
  outcome: 'task' | 'expired';
  taskId: string | null;
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

  /** Inserts the task unless the episode already has one of this kind; returns whether it was created. */
  async insert(manager: EntityManager, task: NewTask): Promise<boolean> {
    const rows = await preparedQuery(manager, 'pharmacy-alert:insert-task', `${INSERT_TASKS} ON CONFLICT (kind, episode_key) WHERE status <> 'cancelled' DO NOTHING RETURNING id`, taskColumns([task]));
    return rows.length === 1;
  }

  async find(filter: TaskFilter): Promise<TaskView[]> {
    const rows: TaskRow[] = await this.dataSource.query(
      `${SELECT_TASKS}
       WHERE ($1::text IS NULL OR assignee_id = $1) AND ($2::text IS NULL OR team_id = $2) AND ($3::text IS NULL OR status = $3)
         AND ($4::uuid IS NULL OR patient_id = $4) AND ($5::text[] IS NULL OR team_id = ANY($5))
       ORDER BY due_at, created_at LIMIT 500`,
      [filter.assigneeId ?? null, filter.teamId ?? null, filter.status ?? null, filter.patientId ?? null, filter.teamIds ?? null],
    );
    return rows.map(toView);
  }

  async findById(manager: EntityManager, id: string, options: { lock?: boolean } = {}): Promise<TaskView | undefined> {
    const rows: TaskRow[] = await manager.query(`${SELECT_TASKS} WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows.length === 1 ? toView(rows[0]) : undefined;
  }

  /** Open tasks of an episode (optionally of some kinds), locked for the caller's transaction. */
  async openForEpisode(manager: EntityManager, episodeKey: string, kinds: readonly TaskKind[]): Promise<TaskView[]> {
    const rows: TaskRow[] = await manager.query(
      `${SELECT_TASKS} WHERE episode_key = $1 AND kind = ANY($2::text[]) AND status = ANY($3::text[]) FOR UPDATE`,
      [episodeKey, kinds, OPEN_STATUSES],
    );
    return rows.map(toView);
  }

  async openForPatient(manager: EntityManager, patientId: string): Promise<TaskView[]> {
    const rows: TaskRow[] = await manager.query(`${SELECT_TASKS} WHERE patient_id = $1 AND status = ANY($2::text[]) FOR UPDATE`, [
      patientId,
      OPEN_STATUSES,
    ]);
    return rows.map(toView);
  }

  async cancel(manager: EntityManager, taskId: string, reason: string): Promise<void> {
    await manager.query(`UPDATE tasks SET status = 'cancelled', status_reason = $2, updated_at = now() WHERE id = $1`, [taskId, reason]);
    await manager.query('DELETE FROM task_timers WHERE task_id = $1 AND fired_at IS NULL', [taskId]);
  }

  async acknowledge(manager: EntityManager, taskId: string, actorId: string): Promise<void> {
    await manager.query(
      `UPDATE tasks SET status = 'acknowledged', acknowledged_at = now(), acknowledged_by = $2, updated_at = now() WHERE id = $1 AND status = 'open'`,
      [taskId, actorId],
    );
  }

  async complete(manager: EntityManager, taskId: string, actorId: string, outcome: TaskOutcome): Promise<Date> {
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
    await preparedQuery(
      manager,
      'pharmacy-alert:relocate-open-work',
      'UPDATE tasks SET location = $3, updated_at = now() WHERE episode_key = $1 AND kind = ANY($2::text[]) AND status = ANY($4::text[])',
      [episodeKey, kinds, location, OPEN_STATUSES],
    );
  }

  /** Moves open work from one roster patient to another (A40 merge). */
  async moveOpenWork(manager: EntityManager, fromPatientId: string, toPatientId: string): Promise<string[]> {
    const [rows]: [Array<{ id: string }>, number] = await manager.query(
      `UPDATE tasks SET patient_id = $2, updated_at = now() WHERE patient_id = $1 AND status = ANY($3::text[]) RETURNING id`,
      [fromPatientId, toPatientId, OPEN_STATUSES],
    );
    return rows.map((row) => row.id);
  }

  async scheduleTimers(manager: EntityManager, taskId: string, timers: Array<{ step: string; clock: ClockName; fireAt: Date }>): Promise<void> {
    await preparedQuery(
      manager,
      'pharmacy-alert:schedule-clock-timers',
      `INSERT INTO task_timers (task_id, step, clock, fire_at)
       SELECT $1::uuid, step, clock, fire_at FROM unnest($2::text[], $3::text[], $4::timestamptz[]) AS timer(step, clock, fire_at)
       ON CONFLICT DO NOTHING`,
      [taskId, timers.map((timer) => timer.step), timers.map((timer) => timer.clock), timers.map((timer) => timer.fireAt)],
    );
  }

  /** Counts a discharge as received for the quality report; one per episode, however often it is sent. */
  async recordDischarge(manager: EntityManager, discharge: DischargeReceived): Promise<void> {
    await preparedQuery(
      manager,
      'pharmacy-alert:record-discharge',
      `INSERT INTO discharges (episode_key, patient_id, team_id, facility, discharged_at, outcome, task_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (episode_key) DO NOTHING`,
      [discharge.episodeKey, discharge.patientId, discharge.teamId, discharge.facility, discharge.dischargedAt, discharge.outcome, discharge.taskId],
    );
  }

  async startClocks(manager: EntityManager, taskId: string, deadlines: readonly ClockDeadline[]): Promise<void> {
    await preparedQuery(
      manager,
      'pharmacy-alert:start-clocks',
      'INSERT INTO task_clocks (task_id, clock, due_at) SELECT $1::uuid, clock, due_at FROM unnest($2::text[], $3::timestamptz[]) AS deadline(clock, due_at)',
      [taskId, deadlines.map((deadline) => deadline.clock), deadlines.map((deadline) => deadline.dueAt)],
    );
  }

  /** Marks the clocks this evidence meets as met at `at`, unless earlier evidence already met them. */
  async meetClocks(manager: EntityManager, taskId: string, evidence: ClockEvidence, at: Date): Promise<void> {
    await manager.query(
      `UPDATE task_clocks SET met_at = $3, met_by = $4 WHERE task_id = $1 AND clock = ANY($2::text[]) AND (met_at IS NULL OR met_at > $3)`,
      [taskId, CLOCKS_MET_BY[evidence], at, evidence],
    );
  }

  /** Meets the TCM contact clock with the unsuccessful attempts made before its deadline, as of the attempt that completes the required number. */
  async meetClocksByAttempts(manager: EntityManager, taskId: string, unsuccessfulOutcomes: readonly string[]): Promise<void> {
    await manager.query(
      `UPDATE task_clocks c SET met_at = attempt.attempted_at, met_by = 'contact-attempts'
       FROM (SELECT attempted_at FROM contact_attempts WHERE task_id = $1 AND outcome = ANY($3::text[]) ORDER BY attempted_at OFFSET $4 LIMIT 1) attempt
       WHERE c.task_id = $1 AND c.clock = ANY($2::text[]) AND attempt.attempted_at < c.due_at AND (c.met_at IS NULL OR c.met_at > attempt.attempted_at)`,
      [taskId, CLOCKS_MET_BY['contact-attempts'], unsuccessfulOutcomes, TCM_ATTEMPTS_REQUIRED - 1],
    );
  }

  async recentAdmissions(manager: EntityManager, patientId: string, since: Date): Promise<number> {
    const rows: Array<{ count: string }> = await manager.query(
      `SELECT count(*) FROM tasks WHERE patient_id = $1 AND kind = 'admission-alert' AND created_at >= $2`,
      [patientId, since],
    );
    return Number(rows[0].count);
  }
}

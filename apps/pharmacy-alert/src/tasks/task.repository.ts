import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { TaskView } from './task.views';

interface TaskRow {
  id: string;
  patient_id: string;
  kind: string;
  status: string;
  priority: string;
  discharged_at: Date;
  due_at: Date;
  assignee_id: string | null;
  team_id: string | null;
  correlation_id: string;
  created_at: Date;
}

const toView = (row: TaskRow): TaskView => ({
  id: row.id,
  patientId: row.patient_id,
  kind: row.kind,
  status: row.status,
  priority: row.priority,
  dischargedAt: row.discharged_at.toISOString(),
  dueAt: row.due_at.toISOString(),
  assigneeId: row.assignee_id,
  teamId: row.team_id,
  correlationId: row.correlation_id,
  createdAt: row.created_at.toISOString(),
});

export interface TaskFilter {
  assigneeId?: string;
  teamId?: string;
  status?: string;
}

@Injectable()
export class TaskRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(filter: TaskFilter): Promise<TaskView[]> {
    const rows: TaskRow[] = await this.dataSource.query(
      `SELECT * FROM tasks
       WHERE ($1::text IS NULL OR assignee_id = $1) AND ($2::text IS NULL OR team_id = $2) AND ($3::text IS NULL OR status = $3)
       ORDER BY due_at, created_at LIMIT 500`,
      [filter.assigneeId ?? null, filter.teamId ?? null, filter.status ?? null],
    );
    return rows.map(toView);
  }

  async findById(id: string): Promise<TaskView | undefined> {
    const rows: TaskRow[] = await this.dataSource.query('SELECT * FROM tasks WHERE id = $1', [id]);
    return rows.length === 1 ? toView(rows[0]) : undefined;
  }
}

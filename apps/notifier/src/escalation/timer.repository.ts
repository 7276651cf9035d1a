import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { updateReturning } from '../runtime/sql';

export const TIMER_KINDS = ['escalation'] as const;
export type TimerKind = (typeof TIMER_KINDS)[number];
export type TimerStatus = 'scheduled' | 'fired' | 'cancelled' | 'failed';

export interface TimerRecord {
  id: string;
  kind: TimerKind;
  notificationId: string;
  dueAt: Date;
  status: TimerStatus;
  attempts: number;
  settledAt: Date | null;
}

interface TimerRow {
  id: string;
  kind: TimerKind;
  notification_id: string;
  due_at: Date;
  status: TimerStatus;
  attempts: number;
  settled_at: Date | null;
}

const toTimer = (row: TimerRow): TimerRecord => ({
  id: String(row.id),
  kind: row.kind,
  notificationId: row.notification_id,
  dueAt: row.due_at,
  status: row.status,
  attempts: row.attempts,
  settledAt: row.settled_at,
});

/** Timers live in PostgreSQL, so a restart loses none and any instance can fire any of them. */
@Injectable()
export class TimerRepository {
  constructor(private readonly dataSource: DataSource) {}

  async schedule(manager: EntityManager, kind: TimerKind, notificationId: string, dueAt: Date): Promise<void> {
    await manager.query(
      `INSERT INTO timers (kind, notification_id, due_at) VALUES ($1, $2, $3) ON CONFLICT (kind, notification_id) DO NOTHING`,
      [kind, notificationId, dueAt],
    );
  }

  /** The earliest due timer nobody else holds, locked until the caller's transaction ends. */
  async claimDue(manager: EntityManager): Promise<TimerRecord | undefined> {
    const rows: TimerRow[] = await manager.query(
      `SELECT * FROM timers WHERE status = 'scheduled' AND due_at <= now() ORDER BY due_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
    );
    return rows[0] ? toTimer(rows[0]) : undefined;
  }

  async settle(manager: EntityManager, id: string, status: 'fired' | 'cancelled'): Promise<void> {
    await manager.query(`UPDATE timers SET status = $2, settled_at = now() WHERE id = $1`, [id, status]);
  }

  /** Cancels the notification's scheduled timers; the row lock orders this against a timer being fired. */
  async cancelFor(manager: EntityManager, notificationId: string): Promise<number> {
    const rows = await updateReturning<unknown>(
      manager,
      `UPDATE timers SET status = 'cancelled', settled_at = now() WHERE notification_id = $1 AND status = 'scheduled' RETURNING 1`,
      [notificationId],
    );
    return rows.length;
  }

  /** A firing that threw: try again later, or give up after the last attempt. */
  async recordFailure(id: string, error: string, retryAt: Date, giveUp: boolean): Promise<void> {
    await this.dataSource.query(
      `UPDATE timers SET attempts = attempts + 1, last_error = $2, due_at = $3,
         status = CASE WHEN $4 THEN 'failed' ELSE status END, settled_at = CASE WHEN $4 THEN now() END
       WHERE id = $1 AND status = 'scheduled'`,
      [id, error.slice(0, 200), retryAt, giveUp],
    );
  }

  async forNotification(notificationId: string): Promise<TimerRecord[]> {
    const rows: TimerRow[] = await this.dataSource.query('SELECT * FROM timers WHERE notification_id = $1 ORDER BY id', [notificationId]);
    return rows.map(toTimer);
  }
}

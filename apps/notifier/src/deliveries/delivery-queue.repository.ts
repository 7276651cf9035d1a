import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { NotificationUrgency } from '@sc/contracts';
import type { OutboundChannel } from '../notifications/delivery-plan';
import { DELIVERY_COLUMNS, toDeliveryRecord, type DeliveryRecord } from '../notifications/delivery.repository';
import { updateReturning } from '../runtime/sql';

/** A webhook or email delivery claimed for one send, with the content it carries. */
export interface ClaimedDelivery {
  seq: string;
  notificationId: string;
  channel: OutboundChannel;
  recipient: string;
  /** This send's number, the first being 1. */
  attempts: number;
  title: string;
  urgency: NotificationUrgency;
  dueAt: Date | null;
  link: string;
  itemType: string;
  itemId: string;
  escalationOf: string | null;
  createdAt: Date;
  /** When the notification was asked for; delivery latency is timed from it (or from deferredUntil). */
  requestedAt: Date;
  /** End of the quiet hours that held the delivery back, if any. */
  deferredUntil: Date | null;
}

interface ClaimedRow {
  seq: string;
  notification_id: string;
  channel: OutboundChannel;
  recipient: string;
  attempts: number;
  title: string;
  urgency: NotificationUrgency;
  due_at: Date | null;
  link: string;
  item_type: string;
  item_id: string;
  escalation_of: string | null;
  created_at: Date;
  requested_at: Date;
  deferred_until: Date | null;
}

const MAX_ERROR_LENGTH = 200;

/**
 * The durable send queue for webhook and email deliveries. A claim (FOR UPDATE SKIP LOCKED, so
 * instances never share a row) counts the attempt and moves `next_attempt_at` out by the lease:
 * if the instance dies mid-send the row is due again when the lease ends. A recorded success is
 * final; every later write requires the row to be pending.
 */
@Injectable()
export class DeliveryQueueRepository {
  constructor(private readonly dataSource: DataSource) {}

  async claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const rows = await updateReturning<ClaimedRow>(
      this.dataSource.manager,
      `WITH due AS (
         SELECT d.seq FROM deliveries d
         WHERE d.status = 'pending' AND d.channel <> 'sse' AND d.next_attempt_at <= now()
           AND NOT EXISTS (
             SELECT 1 FROM webhook_endpoints w
             WHERE d.channel = 'webhook' AND d.recipient = 'user:' || w.recipient_id AND w.open_until > now())
         ORDER BY d.next_attempt_at, d.seq
         LIMIT $1
         FOR UPDATE OF d SKIP LOCKED
       )
       UPDATE deliveries d SET attempts = d.attempts + 1, next_attempt_at = now() + $2 * interval '1 millisecond'
       FROM due, notifications n
       WHERE d.seq = due.seq AND n.id = d.notification_id
       RETURNING d.seq, d.notification_id, d.channel, d.recipient, d.attempts, n.title, n.urgency, n.due_at, n.link,
         n.item_type, n.item_id, n.escalation_of, n.created_at, coalesce(n.requested_at, n.created_at) AS requested_at, d.deferred_until`,
      [limit, leaseMs],
    );
    return rows.map((row) => ({
      seq: String(row.seq),
      notificationId: row.notification_id,
      channel: row.channel,
      recipient: row.recipient,
      attempts: row.attempts,
      title: row.title,
      urgency: row.urgency,
      dueAt: row.due_at,
      link: row.link,
      itemType: row.item_type,
      itemId: row.item_id,
      escalationOf: row.escalation_of,
      createdAt: row.created_at,
      requestedAt: row.requested_at,
      deferredUntil: row.deferred_until,
    }));
  }

  /**
   * Success is recorded whatever happened to the claim meanwhile: a sent message must never be
   * sent again. Each of these writes answers whether it changed the row (false: another send
   * recorded first), so an outcome is counted once.
   */
  async markDelivered(seq: string): Promise<boolean> {
    return this.changed(
      `UPDATE deliveries SET status = 'delivered', delivered_at = now(), next_attempt_at = NULL, last_error = NULL
       WHERE seq = $1 AND status = 'pending' RETURNING seq`,
      [seq],
    );
  }

  /** The `attempts` guard keeps a send whose lease ran out from overwriting a newer claim. */
  async reschedule(seq: string, attempts: number, at: Date, error: string): Promise<boolean> {
    return this.changed(
      `UPDATE deliveries SET next_attempt_at = $3, last_error = $4 WHERE seq = $1 AND status = 'pending' AND attempts = $2 RETURNING seq`,
      [seq, attempts, at, error.slice(0, MAX_ERROR_LENGTH)],
    );
  }

  /** The dead-letter state: no more automatic sends; visible through the API, redriven by a person. */
  async markFailed(seq: string, attempts: number, error: string): Promise<boolean> {
    return this.changed(
      `UPDATE deliveries SET status = 'failed', failed_at = now(), next_attempt_at = NULL, last_error = $3
       WHERE seq = $1 AND status = 'pending' AND attempts = $2 RETURNING seq`,
      [seq, attempts, error.slice(0, MAX_ERROR_LENGTH)],
    );
  }

  /** Gives a claim back unsent (the endpoint's circuit is open): the attempt does not count. */
  async release(seq: string, attempts: number, until: Date): Promise<boolean> {
    return this.changed(
      `UPDATE deliveries SET attempts = attempts - 1, next_attempt_at = $3 WHERE seq = $1 AND status = 'pending' AND attempts = $2 RETURNING seq`,
      [seq, attempts, until],
    );
  }

  private async changed(sql: string, parameters: unknown[]): Promise<boolean> {
    return (await updateReturning<{ seq: string }>(this.dataSource.manager, sql, parameters)).length > 0;
  }

  /** A failed delivery gets a fresh series of attempts, due now. */
  async redrive(seq: string): Promise<DeliveryRecord | undefined> {
    const rows = await updateReturning<Parameters<typeof toDeliveryRecord>[0]>(
      this.dataSource.manager,
      `UPDATE deliveries d SET status = 'pending', attempts = 0, failed_at = NULL, next_attempt_at = now()
       WHERE d.seq = $1 AND d.status = 'failed' AND d.channel <> 'sse'
       RETURNING ${DELIVERY_COLUMNS}`,
      [seq],
    );
    return rows[0] ? toDeliveryRecord(rows[0]) : undefined;
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { preparedQuery } from '@sc/persistence';
import { updateReturning } from '../runtime/sql';
import type { Channel, OutboundChannel, PlannedDelivery } from './delivery-plan';
import type { StreamContent, StreamItem } from './stream-item';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryRecord {
  id: string;
  notificationId: string;
  channel: Channel;
  recipient: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  failedAt: Date | null;
  nextAttemptAt: Date | null;
  deferredUntil: Date | null;
}

export interface CreatedDeliveries {
  /** New live-stream items and the stream (recipient) each goes to. */
  streamItems: Array<{ recipient: string; item: StreamItem }>;
  /** Webhook and email deliveries now waiting in the send queue. */
  queued: number;
  /** The channel of each new delivery that quiet hours hold back. */
  deferred: OutboundChannel[];
}

export interface DeliveryFilter {
  notificationId?: string;
  recipient?: string;
  channel?: Channel;
  status?: DeliveryStatus;
  limit: number;
}

interface StreamRow {
  seq: string;
  recipient: string;
  notification_id: string;
  title: string;
  urgency: string;
  due_at: Date | null;
  link: string;
  item_type: string;
  item_id: string;
  created_at: Date;
}

interface DeliveryRow {
  seq: string;
  notification_id: string;
  channel: Channel;
  recipient: string;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
  failed_at: Date | null;
  next_attempt_at: Date | null;
  deferred_until: Date | null;
}

const toItem = (row: StreamRow): StreamItem => ({
  seq: String(row.seq),
  notificationId: row.notification_id,
  title: row.title,
  urgency: row.urgency,
  dueAt: row.due_at?.toISOString() ?? null,
  link: row.link,
  itemType: row.item_type,
  itemId: row.item_id,
  createdAt: row.created_at.toISOString(),
});

export const toDeliveryRecord = (row: DeliveryRow): DeliveryRecord => ({
  id: String(row.seq),
  notificationId: row.notification_id,
  channel: row.channel,
  recipient: row.recipient,
  status: row.status,
  attempts: row.attempts,
  lastError: row.last_error,
  createdAt: row.created_at,
  deliveredAt: row.delivered_at,
  failedAt: row.failed_at,
  nextAttemptAt: row.next_attempt_at,
  deferredUntil: row.deferred_until,
});

export const DELIVERY_COLUMNS =
  'd.seq, d.notification_id, d.channel, d.recipient, d.status, d.attempts, d.last_error, d.created_at, d.delivered_at, d.failed_at, d.next_attempt_at, d.deferred_until';

const STREAM_SELECT = `SELECT d.seq, d.recipient, d.notification_id, n.title, n.urgency, n.due_at, n.link, n.item_type, n.item_id, n.created_at
  FROM deliveries d JOIN notifications n ON n.id = d.notification_id`;

@Injectable()
export class DeliveryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * One delivery per (notification, channel, recipient), whatever the number of requests or
   * restarts: the unique key drops the rest. Webhook and email rows join the send queue, due
   * now or when quiet hours end.
   */
  async createDeliveries(manager: EntityManager, notification: StreamContent, planned: PlannedDelivery[]): Promise<CreatedDeliveries> {
    const [created] = await this.createDeliveriesOfMany(manager, [{ notification, planned }]);
    return created;
  }

  /**
   * {@link createDeliveries} for several notifications in one statement, answered in their order;
   * their deliveries are numbered in that order, so each stream sees them as requested.
   */
  async createDeliveriesOfMany(manager: EntityManager, batch: ReadonlyArray<{ notification: StreamContent; planned: PlannedDelivery[] }>): Promise<CreatedDeliveries[]> {
    const rows = batch.flatMap(({ notification, planned }) => planned.map((delivery) => ({ notificationId: notification.notificationId, ...delivery })));
    // A plain insert, named: no join whose plan a table's size could spoil, parsed once per
    // connection. The stream items are each notification as the caller stored it plus each seq.
    const inserted =
      rows.length === 0
        ? []
        : await preparedQuery<{ seq: string; notification_id: string; channel: Channel; recipient: string; deferred: boolean }>(
            manager,
            'notifier:insert-deliveries-of-many',
            `INSERT INTO deliveries (notification_id, channel, recipient, status, next_attempt_at, deferred_until)
             SELECT t.notification_id, t.channel, t.recipient, 'pending', CASE WHEN t.queued THEN coalesce(t.deferred_until, now()) END, t.deferred_until
             FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::timestamptz[])
               WITH ORDINALITY AS t(notification_id, channel, recipient, queued, deferred_until, position)
             ORDER BY t.position
             ON CONFLICT (notification_id, channel, recipient) DO NOTHING
             RETURNING seq, notification_id, channel, recipient, deferred_until IS NOT NULL AS deferred`,
            [
              rows.map((row) => row.notificationId),
              rows.map((row) => row.channel),
              rows.map((row) => row.recipient),
              rows.map((row) => row.channel !== 'sse'),
              rows.map((row) => row.deferredUntil),
            ],
          );
    const byNotification = new Map<string, typeof inserted>();
    for (const row of inserted) {
      const own = byNotification.get(row.notification_id);
      if (own) {
        own.push(row);
      } else {
        byNotification.set(row.notification_id, [row]);
      }
    }
    return batch.map(({ notification }) => {
      const own = byNotification.get(notification.notificationId) ?? [];
      const streamRows = own.filter((row) => row.channel === 'sse').sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
      return {
        streamItems: streamRows.map((row) => ({ recipient: row.recipient, item: { seq: String(row.seq), ...notification } })),
        queued: own.length - streamRows.length,
        deferred: own.flatMap((row) => (row.deferred && row.channel !== 'sse' ? [row.channel] : [])),
      };
    });
  }

  /**
   * Stream items after `afterSeq` and any still pending below it (committed after a higher number
   * was sent); without `afterSeq`, those never yet pushed to any open stream.
   */
  async streamBacklog(recipient: string, afterSeq: string | undefined): Promise<StreamItem[]> {
    const rows: StreamRow[] =
      afterSeq === undefined
        ? await this.dataSource.query(
            `${STREAM_SELECT} WHERE d.recipient = $1 AND d.channel = 'sse' AND d.status = 'pending' ORDER BY d.seq LIMIT 1000`,
            [recipient],
          )
        : await this.dataSource.query(
            `${STREAM_SELECT} WHERE d.recipient = $1 AND d.channel = 'sse' AND (d.seq > $2 OR d.status = 'pending') ORDER BY d.seq LIMIT 1000`,
            [recipient, afterSeq],
          );
    return rows.map(toItem);
  }

  /**
   * A stream delivery was written to an open connection. Answers, the first time only (the row
   * lock orders two streams writing the same item), when its notification was requested.
   */
  async markStreamed(seq: string): Promise<{ requestedAt: Date } | undefined> {
    const rows = await updateReturning<{ first: boolean; requested_at: Date }>(
      this.dataSource.manager,
      `WITH before AS (SELECT seq, status FROM deliveries WHERE seq = $1 FOR UPDATE)
       UPDATE deliveries d SET status = 'delivered', attempts = d.attempts + 1, delivered_at = coalesce(d.delivered_at, now())
       FROM before, notifications n
       WHERE d.seq = before.seq AND n.id = d.notification_id
       RETURNING before.status <> 'delivered' AS first, coalesce(n.requested_at, n.created_at) AS requested_at`,
      [seq],
    );
    return rows[0]?.first ? { requestedAt: rows[0].requested_at } : undefined;
  }

  async find(seq: string): Promise<DeliveryRecord | undefined> {
    const rows: DeliveryRow[] = await this.dataSource.query(`SELECT ${DELIVERY_COLUMNS} FROM deliveries d WHERE d.seq = $1`, [seq]);
    return rows[0] ? toDeliveryRecord(rows[0]) : undefined;
  }

  async list(filter: DeliveryFilter): Promise<DeliveryRecord[]> {
    const rows: DeliveryRow[] = await this.dataSource.query(
      `SELECT ${DELIVERY_COLUMNS} FROM deliveries d
       WHERE ($1::text IS NULL OR d.notification_id = $1) AND ($2::text IS NULL OR d.recipient = $2)
         AND ($3::text IS NULL OR d.channel = $3) AND ($4::text IS NULL OR d.status = $4)
       ORDER BY d.seq DESC LIMIT $5`,
      [filter.notificationId ?? null, filter.recipient ?? null, filter.channel ?? null, filter.status ?? null, filter.limit],
    );
    return rows.map(toDeliveryRecord);
  }

  /** Whether the user received the notification directly or through a team they belong to. */
  async isAddressedTo(manager: EntityManager, notificationId: string, recipientId: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM deliveries d WHERE d.notification_id = $1 AND d.recipient = 'user:' || $2
       UNION ALL
       SELECT 1 FROM deliveries d JOIN team_members m ON d.recipient = 'team:' || m.team_id
       WHERE d.notification_id = $1 AND m.recipient_id = $2
       LIMIT 1`,
      [notificationId, recipientId],
    );
    return rows.length > 0;
  }
}

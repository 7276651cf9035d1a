import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { EventEnvelope } from '@sc/contracts';
import type { StreamItem } from './stream-item';

interface StreamRow {
  seq: string;
  notification_id: string;
  title: string;
  urgency: string;
  due_at: Date | null;
  link: string;
  item_type: string;
  item_id: string;
  created_at: Date;
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

const STREAM_SELECT = `SELECT d.seq, d.notification_id, n.title, n.urgency, n.due_at, n.link, n.item_type, n.item_id, n.created_at
  FROM deliveries d JOIN notifications n ON n.id = d.notification_id`;

@Injectable()
export class DeliveryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores the notification and its stream delivery once; returns the delivery, or nothing if it already existed. */
  async createStreamDelivery(
    manager: EntityManager,
    event: EventEnvelope<'notification.requested'>,
    recipient: string,
  ): Promise<StreamItem | undefined> {
    const { data } = event;
    await manager.query(
      `INSERT INTO notifications (id, title, urgency, due_at, link, item_type, item_id, source_event_id, correlation_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
      [data.notificationId, data.title, data.urgency, data.dueAt, data.link, data.itemType, data.itemId, event.id, event.correlationId],
    );
    const inserted: Array<{ seq: string }> = await manager.query(
      `INSERT INTO deliveries (notification_id, channel, recipient, status) VALUES ($1, 'sse', $2, 'pending')
       ON CONFLICT (notification_id, channel, recipient) DO NOTHING RETURNING seq`,
      [data.notificationId, recipient],
    );
    if (inserted.length === 0) {
      return undefined;
    }
    const rows: StreamRow[] = await manager.query(`${STREAM_SELECT} WHERE d.seq = $1`, [inserted[0].seq]);
    return toItem(rows[0]);
  }

  /** Stream items after `afterSeq`; without it, those never yet pushed to any open stream. */
  async streamBacklog(recipient: string, afterSeq: string | undefined): Promise<StreamItem[]> {
    const rows: StreamRow[] =
      afterSeq === undefined
        ? await this.dataSource.query(
            `${STREAM_SELECT} WHERE d.recipient = $1 AND d.channel = 'sse' AND d.status = 'pending' ORDER BY d.seq LIMIT 1000`,
            [recipient],
          )
        : await this.dataSource.query(
            `${STREAM_SELECT} WHERE d.recipient = $1 AND d.channel = 'sse' AND d.seq > $2 ORDER BY d.seq LIMIT 1000`,
            [recipient, afterSeq],
          );
    return rows.map(toItem);
  }

  async markDelivered(seq: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = coalesce(delivered_at, now()) WHERE seq = $1`,
      [seq],
    );
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { updateReturning } from '../runtime/sql';

export interface ReceiptRecord {
  notificationId: string;
  recipientId: string;
  readAt: Date;
  acknowledgedAt: Date | null;
}

interface ReceiptRow {
  notification_id: string;
  recipient_id: string;
  read_at: Date;
  acknowledged_at: Date | null;
}

const toReceipt = (row: ReceiptRow): ReceiptRecord => ({
  notificationId: row.notification_id,
  recipientId: row.recipient_id,
  readAt: row.read_at,
  acknowledgedAt: row.acknowledged_at,
});

@Injectable()
export class ReceiptRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Records the first read; later reads keep the first time. */
  async markRead(manager: EntityManager, notificationId: string, recipientId: string): Promise<ReceiptRecord> {
    const rows: ReceiptRow[] = await manager.query(
      `INSERT INTO receipts (notification_id, recipient_id, read_at) VALUES ($1, $2, now())
       ON CONFLICT (notification_id, recipient_id) DO UPDATE SET read_at = receipts.read_at
       RETURNING *`,
      [notificationId, recipientId],
    );
    return toReceipt(rows[0]);
  }

  /** Records the acknowledgement (which implies a read); `first` is false when it was already acknowledged. */
  async acknowledge(manager: EntityManager, notificationId: string, recipientId: string): Promise<{ receipt: ReceiptRecord; first: boolean }> {
    const inserted: ReceiptRow[] = await manager.query(
      `INSERT INTO receipts (notification_id, recipient_id, read_at, acknowledged_at) VALUES ($1, $2, now(), now())
       ON CONFLICT (notification_id, recipient_id) DO NOTHING RETURNING *`,
      [notificationId, recipientId],
    );
    if (inserted[0]) {
      return { receipt: toReceipt(inserted[0]), first: true };
    }
    const updated = await updateReturning<ReceiptRow>(
      manager,
      `UPDATE receipts SET acknowledged_at = now() WHERE notification_id = $1 AND recipient_id = $2 AND acknowledged_at IS NULL
       RETURNING *`,
      [notificationId, recipientId],
    );
    if (updated[0]) {
      return { receipt: toReceipt(updated[0]), first: true };
    }
    const existing: ReceiptRow[] = await manager.query('SELECT * FROM receipts WHERE notification_id = $1 AND recipient_id = $2', [
      notificationId,
      recipientId,
    ]);
    return { receipt: toReceipt(existing[0]), first: false };
  }

  async forNotifications(notificationIds: string[]): Promise<ReceiptRecord[]> {
    const rows: ReceiptRow[] = await this.dataSource.query(
      'SELECT * FROM receipts WHERE notification_id = ANY ($1::text[]) ORDER BY read_at, recipient_id',
      [notificationIds],
    );
    return rows.map(toReceipt);
  }

  /** Whether anyone acknowledged the requested notification or one of its escalations. */
  async isAcknowledged(manager: EntityManager, requestedNotificationId: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM receipts r JOIN notifications n ON n.id = r.notification_id
       WHERE (n.id = $1 OR n.escalation_of = $1) AND r.acknowledged_at IS NOT NULL LIMIT 1`,
      [requestedNotificationId],
    );
    return rows.length > 0;
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { NotificationUrgency } from '@sc/contracts';
import { preparedQuery } from '@sc/persistence';
import type { EscalationRule } from './notification-request';

export interface NotificationRecord {
  id: string;
  title: string;
  urgency: NotificationUrgency;
  dueAt: Date | null;
  link: string;
  itemType: string;
  itemId: string;
  recipientId: string | null;
  teamId: string | null;
  /** The requested notification this one escalates; null for a requested one. */
  escalationOf: string | null;
  escalation: EscalationRule | null;
  sourceEventId: string;
  correlationId: string;
  /** Pseudonymous patient reference of the request (the Kafka key of what the notifier produces). */
  subject: string | null;
  /** When the notification was asked for (the request's recordedAt; an escalation's firing); null on rows from before it was kept. */
  requestedAt: Date | null;
  createdAt: Date;
}

/** Without `requestedAt` the delivery latency is timed from the row's creation. */
export type NewNotification = Omit<NotificationRecord, 'createdAt' | 'requestedAt'> & { requestedAt?: Date | null };

interface NotificationRow {
  id: string;
  title: string;
  urgency: NotificationUrgency;
  due_at: Date | null;
  link: string;
  item_type: string;
  item_id: string;
  recipient_id: string | null;
  team_id: string | null;
  escalation_of: string | null;
  escalate_after_seconds: number | null;
  escalation_recipient_id: string | null;
  escalate_to_team_lead: boolean;
  source_event_id: string;
  correlation_id: string;
  subject: string | null;
  requested_at: Date | null;
  created_at: Date;
}

const toRecord = (row: NotificationRow): NotificationRecord => ({
  id: row.id,
  title: row.title,
  urgency: row.urgency,
  dueAt: row.due_at,
  link: row.link,
  itemType: row.item_type,
  itemId: row.item_id,
  recipientId: row.recipient_id,
  teamId: row.team_id,
  escalationOf: row.escalation_of,
  escalation:
    row.escalate_after_seconds === null
      ? null
      : { afterSeconds: row.escalate_after_seconds, recipientId: row.escalation_recipient_id, toTeamLead: row.escalate_to_team_lead },
  sourceEventId: row.source_event_id,
  correlationId: row.correlation_id,
  subject: row.subject,
  requestedAt: row.requested_at,
  createdAt: row.created_at,
});

@Injectable()
export class NotificationRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores a notification once and answers it as stored; undefined when its id already exists (a duplicate request). */
  async insert(manager: EntityManager, notification: NewNotification): Promise<NotificationRecord | undefined> {
    return (await this.insertMany(manager, [notification])).get(notification.id);
  }

  /**
   * Stores notifications in one statement, each id once, and answers those it stored by id; an id
   * that already existed (a duplicate request) is not in the answer.
   */
  async insertMany(manager: EntityManager, notifications: readonly NewNotification[]): Promise<Map<string, NotificationRecord>> {
    if (notifications.length === 0) {
      return new Map();
    }
    const column = <T>(pick: (notification: NewNotification) => T): T[] => notifications.map(pick);
    const rows = await preparedQuery<NotificationRow>(
      manager,
      'notifier:insert-notifications',
      `INSERT INTO notifications (id, title, urgency, due_at, link, item_type, item_id, recipient_id, team_id, escalation_of,
         escalate_after_seconds, escalation_recipient_id, escalate_to_team_lead, source_event_id, correlation_id, subject, requested_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
         $10::text[], $11::int[], $12::text[], $13::boolean[], $14::uuid[], $15::text[], $16::text[], $17::timestamptz[])
       ON CONFLICT (id) DO NOTHING RETURNING *`,
      [
        column((notification) => notification.id),
        column((notification) => notification.title),
        column((notification) => notification.urgency),
        column((notification) => notification.dueAt),
        column((notification) => notification.link),
        column((notification) => notification.itemType),
        column((notification) => notification.itemId),
        column((notification) => notification.recipientId),
        column((notification) => notification.teamId),
        column((notification) => notification.escalationOf),
        column((notification) => notification.escalation?.afterSeconds ?? null),
        column((notification) => notification.escalation?.recipientId ?? null),
        column((notification) => notification.escalation?.toTeamLead ?? false),
        column((notification) => notification.sourceEventId),
        column((notification) => notification.correlationId),
        column((notification) => notification.subject),
        column((notification) => notification.requestedAt ?? null),
      ],
    );
    return new Map(rows.map((row) => [row.id, toRecord(row)]));
  }

  async find(id: string, manager: EntityManager = this.dataSource.manager): Promise<NotificationRecord | undefined> {
    const rows: NotificationRow[] = await manager.query('SELECT * FROM notifications WHERE id = $1', [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** Escalations sent for a requested notification. */
  async escalationsOf(id: string): Promise<NotificationRecord[]> {
    const rows: NotificationRow[] = await this.dataSource.query('SELECT * FROM notifications WHERE escalation_of = $1 ORDER BY created_at', [id]);
    return rows.map(toRecord);
  }
}

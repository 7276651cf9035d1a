import type { NotificationRecord } from './notification.repository';

/** What a person's live stream receives: the minimum to find the work, no clinical content. */
export interface StreamItem {
  seq: string;
  notificationId: string;
  title: string;
  urgency: string;
  dueAt: string | null;
  link: string;
  itemType: string;
  itemId: string;
  createdAt: string;
}

/** What every stream item of one notification shares: all but its delivery's seq. */
export type StreamContent = Omit<StreamItem, 'seq'>;

export function streamContentOf(notification: Pick<NotificationRecord, 'id' | 'title' | 'urgency' | 'dueAt' | 'link' | 'itemType' | 'itemId' | 'createdAt'>): StreamContent {
  return {
    notificationId: notification.id,
    title: notification.title,
    urgency: notification.urgency,
    dueAt: notification.dueAt?.toISOString() ?? null,
    link: notification.link,
    itemType: notification.itemType,
    itemId: notification.itemId,
    createdAt: notification.createdAt.toISOString(),
  };
}

export const streamChannel = (recipient: string): string => `notifier:stream:${recipient}`;

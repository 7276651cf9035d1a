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

export const streamChannel = (recipient: string): string => `notifier:stream:${recipient}`;

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

/** A delivery target: a user, or a team pool when a request names no user. */
export function recipientKey(recipientId: string | null, teamId: string | null): string | null {
  if (recipientId) {
    return `user:${recipientId}`;
  }
  return teamId ? `team:${teamId}` : null;
}

export const streamChannel = (recipient: string): string => `notifier:stream:${recipient}`;

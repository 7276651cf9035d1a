/** User and team ids as they appear in stream paths and requests. */
export const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** A notification id: any stable string of this shape chosen by the producer (UUIDs included). */
export const NOTIFICATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** A delivery target: `user:<id>`, or `team:<id>` for a team pool. */
export type RecipientKey = `user:${string}` | `team:${string}`;

export const userKey = (id: string): RecipientKey => `user:${id}`;
export const teamKey = (id: string): RecipientKey => `team:${id}`;

/** A delivery target: a user, or a team pool when a request names no user. */
export function recipientKey(recipientId: string | null, teamId: string | null): RecipientKey | null {
  if (recipientId) {
    return userKey(recipientId);
  }
  return teamId ? teamKey(teamId) : null;
}

export function parseRecipientKey(key: string): { kind: 'user' | 'team'; id: string } {
  if (key.startsWith('user:')) {
    return { kind: 'user', id: key.slice(5) };
  }
  if (key.startsWith('team:')) {
    return { kind: 'team', id: key.slice(5) };
  }
  throw new Error('not a recipient key');
}

import { createHash } from 'node:crypto';

const NAMESPACE = 'synchronized-care:notifier:escalation';

/**
 * The escalation of a requested notification has an id derived from it (UUID v5 layout), so
 * firing the same timer twice could only ever produce the same notification, deduplicated by
 * the deliveries' unique key.
 */
export function escalationNotificationId(requestedNotificationId: string): string {
  const hash = createHash('sha1').update(`${NAMESPACE}:${requestedNotificationId}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

import { createHash } from 'node:crypto';

const NAMESPACE = 'synchronized-care:referral';

/**
 * A UUID (v5 layout) derived from what a notification is about, e.g. `<referral>:breach`, so a
 * replayed event or a timer fired twice produces the same id and the notifier delivers it once.
 */
export function stableId(key: string): string {
  const hash = createHash('sha1').update(`${NAMESPACE}:${key}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

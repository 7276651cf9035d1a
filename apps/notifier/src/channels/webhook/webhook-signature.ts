import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers of a signed webhook request; receivers check the signature and reject old timestamps. */
export const WebhookHeaders = {
  timestamp: 'x-sc-timestamp',
  signature: 'x-sc-signature',
  deliveryId: 'x-sc-delivery-id',
  notificationId: 'x-sc-notification-id',
} as const;

/** `v1=` + hex HMAC-SHA256, keyed by the endpoint's secret, over `<unix seconds>.<raw body>`. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** For receivers (and tests): constant-time check of a signature header, with a replay window. */
export function verifyWebhook(secret: string, timestampHeader: string, body: string, signatureHeader: string, now: Date, toleranceSeconds = 300): boolean {
  const timestamp = Number(timestampHeader);
  if (!Number.isInteger(timestamp) || Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) {
    return false;
  }
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(signatureHeader);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

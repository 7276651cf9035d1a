import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhook } from './webhook-signature';

describe('webhook signature', () => {
  const secret = 'whsec-0123456789abcdef0123456789abcdef';
  const body = '{"notificationId":"n-1","title":"Patient discharged"}';

  it('is the hex HMAC-SHA256 of "timestamp.body" under the endpoint secret', () => {
    const expected = createHmac('sha256', secret).update(`1763800000.${body}`).digest('hex');
    expect(signWebhook(secret, 1763800000, body)).toBe(`v1=${expected}`);
  });

  it('verifies a fresh signature and rejects a changed body, another secret or an old timestamp', () => {
    const now = new Date(1763800000 * 1000);
    const signature = signWebhook(secret, 1763800000, body);
    expect(verifyWebhook(secret, '1763800000', body, signature, now)).toBe(true);
    expect(verifyWebhook(secret, '1763800000', `${body} `, signature, now)).toBe(false);
    expect(verifyWebhook('another-secret-0123456789abcdef0123', '1763800000', body, signature, now)).toBe(false);
    expect(verifyWebhook(secret, '1763800000', body, signature, new Date(now.getTime() + 301_000))).toBe(false);
  });
});

import type { ExecutionContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RateLimitGuard } from '../../../libs/security/src/rate-limit.guard';

describe('rate-limit counter in Redis', () => {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const caller = `int-rate-${Date.now()}`;
  const context = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => ({ principal: { id: caller }, ip: '127.0.0.1' }), getResponse: () => ({ setHeader: () => undefined }) }),
  } as unknown as ExecutionContext;
  const keyNow = () => `ratelimit:${process.env.SERVICE_NAME ?? 'service'}:${caller}:${Math.floor(Date.now() / 60_000)}`;

  afterAll(async () => {
    await redis.del(keyNow());
    redis.disconnect();
  });

  it('counts and sets the window expiry in one step, and gives a counter left without expiry one', async () => {
    // What a lost EXPIRE after INCR left behind: a counter that never expires.
    await redis.set(keyNow(), '3');
    const guard = new RateLimitGuard(redis, 100);
    await expect(guard.canActivate(context)).resolves.toBe(true);
    expect(await redis.get(keyNow())).toBe('4');
    const ttl = await redis.ttl(keyNow());
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(61);
  });
});

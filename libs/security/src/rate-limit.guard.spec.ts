import type { ExecutionContext } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimitGuard } from './rate-limit.guard';

function httpContext(headers: Record<string, string> = {}): { context: ExecutionContext; headers: Record<string, string> } {
  const response = { setHeader: (name: string, value: string) => (headers[name] = value) };
  const request = { principal: { id: 'pharm-ana' }, ip: '127.0.0.1' };
  const context = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  } as unknown as ExecutionContext;
  return { context, headers };
}

describe(RateLimitGuard.name, () => {
  it('refuses the call over the limit with Retry-After', async () => {
    let count = 0;
    const redis = { eval: async () => (count += 1) } as unknown as Redis;
    const guard = new RateLimitGuard(redis, 2);
    const { context, headers } = httpContext();
    await expect(guard.canActivate(context)).resolves.toBe(true);
    await expect(guard.canActivate(context)).resolves.toBe(true);
    await expect(guard.canActivate(context)).rejects.toMatchObject({ status: 429 });
    expect(headers['Retry-After']).toMatch(/^\d+$/);
  });

  it('lets calls through while Redis is unreachable and warns at most once a minute', async () => {
    const redis = { eval: async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')) } as unknown as Redis;
    const guard = new RateLimitGuard(redis, 2);
    const warn = jest.spyOn((guard as unknown as { logger: { warn: (...args: unknown[]) => void } }).logger, 'warn').mockImplementation(() => undefined);
    const { context } = httpContext();
    for (let call = 0; call < 5; call += 1) {
      await expect(guard.canActivate(context)).resolves.toBe(true);
    }
    expect(warn).toHaveBeenCalledTimes(1);
  });
});

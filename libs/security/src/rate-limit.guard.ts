import { HttpException, HttpStatus, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Response } from 'express';
import { createLogger } from '@sc/observability';
import type { AuthenticatedRequest } from './auth.guard';

export const RATE_LIMIT_REDIS = Symbol('RATE_LIMIT_REDIS');
export const RATE_LIMIT_PER_MINUTE = Symbol('RATE_LIMIT_PER_MINUTE');

/**
 * Counts a call and makes sure its window expires, in one atomic step: an INCR followed by a
 * separate EXPIRE left a counter without expiry when the second command was lost, and that caller
 * was refused for good. A counter found without expiry gets one too.
 */
const COUNT_CALL = `local count = redis.call('INCR', KEYS[1])
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count`;

/**
 * A fixed one-minute window per caller (token subject, else client address) shared by every
 * instance through Redis. If Redis is unreachable the request is let through: a rate limit must
 * not take the worklist down.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly logger = createLogger(RateLimitGuard.name);
  /** When the last "not limiting" warning was logged: once a minute is enough to be seen. */
  private lastOutageWarningAt = 0;

  constructor(
    @Inject(RATE_LIMIT_REDIS) private readonly redis: Redis,
    @Inject(RATE_LIMIT_PER_MINUTE) private readonly perMinute: number,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') {
      return true;
    }
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const caller = request.principal?.id ?? request.ip ?? 'unknown';
    const window = Math.floor(Date.now() / 60_000);
    const key = `ratelimit:${process.env.SERVICE_NAME ?? 'service'}:${caller}:${window}`;
    let count: number;
    try {
      count = Number(await this.redis.eval(COUNT_CALL, 1, key, 61));
    } catch (error) {
      if (Date.now() - this.lastOutageWarningAt >= 60_000) {
        this.lastOutageWarningAt = Date.now();
        this.logger.warn({ err: error }, 'rate limits not enforced: Redis unreachable (requests are let through)');
      }
      return true;
    }
    const response = context.switchToHttp().getResponse<Response>();
    response.setHeader('RateLimit-Limit', String(this.perMinute));
    response.setHeader('RateLimit-Remaining', String(Math.max(0, this.perMinute - count)));
    if (count > this.perMinute) {
      response.setHeader('Retry-After', String(60 - Math.floor((Date.now() / 1000) % 60)));
      throw new HttpException('rate limit exceeded; retry after the time in Retry-After', HttpStatus.TOO_MANY_REQUESTS);
    }
    return true;
  }
}

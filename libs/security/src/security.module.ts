import { Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { Redis } from 'ioredis';
import { redisOptions, type ServiceConfig } from '@sc/config';
import { AuditController } from './audit.controller';
import { AuditInterceptor } from './audit.interceptor';
import { AuditLog } from './audit-log';
import { AuthGuard } from './auth.guard';
import { JwtVerifier } from './jwt-verifier';
import { TeamScopeGuard } from './team-scope';
import { RATE_LIMIT_PER_MINUTE, RATE_LIMIT_REDIS, RateLimitGuard } from './rate-limit.guard';

/** Closes the rate limiter's Redis connection, so a stopping service exits. */
class RateLimitRedisShutdown implements OnApplicationShutdown {
  constructor(private readonly redis: Redis) {}

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}

/**
 * Authentication (JWT bearer, deny by default), per-caller rate limits, and the audit log with
 * its compliance API, for a service that holds patient data. The service's migrations must
 * create the audit table (CREATE_AUDIT_LOG).
 */
@Module({})
export class SecurityModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return {
      module: SecurityModule,
      controllers: [AuditController],
      providers: [
        {
          provide: JwtVerifier,
          useValue: new JwtVerifier({
            jwksUrl: config.AUTH_JWKS_URL,
            publicKeyPem: config.AUTH_JWT_PUBLIC_KEY,
            sharedSecret: config.AUTH_JWKS_URL || config.AUTH_JWT_PUBLIC_KEY ? undefined : config.AUTH_JWT_SECRET,
            issuer: config.AUTH_ISSUER,
            audience: config.AUTH_AUDIENCE,
          }),
        },
        { provide: RATE_LIMIT_REDIS, useFactory: () => new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, ...redisOptions(config) }) },
        { provide: RATE_LIMIT_PER_MINUTE, useValue: config.RATE_LIMIT_PER_MINUTE },
        { provide: RateLimitRedisShutdown, useFactory: (redis: Redis) => new RateLimitRedisShutdown(redis), inject: [RATE_LIMIT_REDIS] },
        AuditLog,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_GUARD, useClass: TeamScopeGuard },
        { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
      ],
      exports: [AuditLog, JwtVerifier],
    };
  }
}

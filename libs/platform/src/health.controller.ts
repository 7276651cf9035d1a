import { Controller, Get, HttpStatus, Inject, Optional, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { KafkaEventsServer } from '@sc/messaging';
import { Public } from '@sc/security';
import { KAFKA, REDIS, SERVICE_NAME } from './tokens';

type CheckResult = 'up' | 'down';

const withTimeout = <T>(work: Promise<T>, ms: number): Promise<T> =>
  Promise.race([work, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms))]);

async function check(work: () => Promise<unknown>): Promise<CheckResult> {
  try {
    await withTimeout(work(), 2000);
    return 'up';
  } catch {
    return 'down';
  }
}

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(SERVICE_NAME) private readonly serviceName: string,
    private readonly dataSource: DataSource,
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly events: KafkaEventsServer,
    @Optional() @Inject(REDIS) private readonly redis?: Redis,
  ) {}

  /** Readiness: the database, the Kafka cluster (and this service's consumer), and Redis if used. */
  @Get()
  @ApiOkResponse({ description: 'Every dependency answers.' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down; the body says which.' })
  async ready(@Res() response: Response): Promise<void> {
    const checks: Record<string, CheckResult> = {
      database: await check(() => this.dataSource.query('SELECT 1')),
      kafka: await check(async () => {
        const admin = this.kafka.admin();
        await admin.connect();
        try {
          await admin.describeCluster();
        } finally {
          await admin.disconnect();
        }
      }),
      consumer: this.events.connected || this.events.getHandlers().size === 0 ? 'up' : 'down',
    };
    if (this.redis) {
      const redis = this.redis;
      checks.redis = await check(() => redis.ping());
    }
    const healthy = Object.values(checks).every((result) => result === 'up');
    response
      .status(healthy ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
      .json({ status: healthy ? 'ok' : 'unavailable', service: this.serviceName, checks });
  }

  /** Liveness: the process answers; dependencies are not consulted. */
  @Get('live')
  @ApiOkResponse({ description: 'The process is alive.' })
  live(): { status: string } {
    return { status: 'ok' };
  }
}

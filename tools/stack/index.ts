import { ensureKafka, type KafkaEndpoint, type KafkaOptions } from './kafka';
import { ensurePostgres, type PostgresEndpoint } from './postgres';
import { ensureRedis, type RedisEndpoint } from './redis';

export { brokersAnswer, ensureKafka, kafkaStatus, stopKafka } from './kafka';
export type { KafkaEndpoint, KafkaOptions, KafkaStatus } from './kafka';
export { ensurePostgres, postgresStatus } from './postgres';
export type { PostgresEndpoint } from './postgres';
export { ensureRedis, redisStatus } from './redis';
export type { RedisEndpoint } from './redis';
export { findRepoRoot } from './process';

export interface InfrastructureEndpoints {
  kafka: KafkaEndpoint;
  postgres: PostgresEndpoint;
  redis: RedisEndpoint;
}

/** Kafka, PostgreSQL and Redis, each checked (and started if down) concurrently; one error names every failure. */
export async function ensureInfrastructure(options: { kafka?: KafkaOptions } = {}): Promise<InfrastructureEndpoints> {
  const [kafka, postgres, redis] = await Promise.allSettled([
    ensureKafka(options.kafka),
    ensurePostgres(),
    ensureRedis(),
  ]);
  if (kafka.status === 'fulfilled' && postgres.status === 'fulfilled' && redis.status === 'fulfilled') {
    return { kafka: kafka.value, postgres: postgres.value, redis: redis.value };
  }
  const failures = [
    ['Kafka', kafka],
    ['PostgreSQL', postgres],
    ['Redis', redis],
  ] as const;
  const reasons = failures.flatMap(([name, result]) =>
    result.status === 'rejected' ? [`${name}: ${describeReason(result.reason)}`] : [],
  );
  throw new Error(`infrastructure not available:\n- ${reasons.join('\n- ')}`);
}

function describeReason(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}
export { ensureServices, stopServices, serviceUrl, serviceLogFile, SERVICE_PORTS, STACK_SERVICES, MLLP_PORT, type StackService } from './services';

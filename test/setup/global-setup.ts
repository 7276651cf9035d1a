import { ensureInfrastructure } from '../../tools/stack';

const LOCAL_HINT = [
  'Integration and e2e tests need Kafka, PostgreSQL and Redis on this machine.',
  'Kafka runs from the Maven jars in deploy/kafka/lib: it needs Java 17+ and Maven (see docs/kafka-local.md).',
  'For the full picture run: node scripts/build.mjs && node dist/tools/stack/main.js infra-up',
].join('\n');

/** Jest globalSetup: makes sure the real infrastructure answers and tells the tests where it is. */
export default async function globalSetup(): Promise<void> {
  try {
    const endpoints = await ensureInfrastructure();
    // Test workers are started after globalSetup and inherit this environment.
    process.env.KAFKA_BROKERS = endpoints.kafka.brokers.join(',');
    process.env.DATABASE_ADMIN_URL = endpoints.postgres.adminUrl;
    process.env.REDIS_URL = endpoints.redis.url;
  } catch (error) {
    if (process.env.CI === 'true') {
      throw error;
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n\n${LOCAL_HINT}`, { cause: error });
  }
}

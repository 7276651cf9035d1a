import { ensureInfrastructure, ensureKafka, kafkaStatus, stopKafka } from './index';

const USAGE = `usage: node dist/tools/stack/main.js <command>
  kafka-up    start the local Kafka broker (no-op if one answers)
  kafka-down  stop the Kafka broker started by kafka-up
  infra-up    ensure Kafka, PostgreSQL and Redis answer (starting what is down)
  status      show what answers and what this tool started`;

async function run(command: string | undefined): Promise<number> {
  switch (command) {
    case 'kafka-up': {
      const { brokers } = await ensureKafka();
      console.log(`KAFKA_BROKERS=${brokers.join(',')}`);
      return 0;
    }
    case 'kafka-down':
      await stopKafka();
      return 0;
    case 'infra-up': {
      const endpoints = await ensureInfrastructure();
      console.log(`KAFKA_BROKERS=${endpoints.kafka.brokers.join(',')}`);
      console.log(`DATABASE_ADMIN_URL=${endpoints.postgres.adminUrl}`);
      console.log(`REDIS_URL=${endpoints.redis.url}`);
      return 0;
    }
    case 'status': {
      const kafka = await kafkaStatus();
      console.log(`kafka: ${kafka.answering ? 'answering' : 'not answering'} on ${kafka.brokers.join(',')}`);
      console.log(`kafka: ${kafka.pid === undefined ? 'no broker started by this tool' : `pid ${kafka.pid}`}`);
      console.log(`kafka: cluster id ${kafka.clusterId ?? '(none yet)'}, log ${kafka.logFile}`);
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

run(process.argv[2]).then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    console.error(`stack: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);

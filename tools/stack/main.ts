import { MLLP_PORT, STACK_SERVICES, ensureInfrastructure, ensureKafka, ensureServices, kafkaStatus, postgresStatus, redisStatus, serviceLogFile, serviceUrl, stopKafka } from './index';
import { urlWithoutPassword } from './process';

const USAGE = `usage: node dist/tools/stack/main.js <command>
  kafka-up    start the local Kafka broker (no-op if one answers)
  kafka-down  stop the Kafka broker started by kafka-up
  infra-up    ensure Kafka, PostgreSQL and Redis answer (starting what is down)
  up          infrastructure and all five services in the background; waits until healthy, prints endpoints
  status      show what answers and what this tool started (exit code 1 if anything is down)`;

function availability(isAnswering: boolean): string {
  return isAnswering ? 'answering' : 'NOT answering';
}

// Adding a command: add it here and to USAGE; the exhaustive switch below then asks for its case.
const COMMANDS = ['kafka-up', 'kafka-down', 'infra-up', 'up', 'status'] as const;
type Command = (typeof COMMANDS)[number];

function parseCommand(argument: string | undefined): Command | undefined {
  return COMMANDS.find((command) => command === argument);
}

async function run(command: Command): Promise<number> {
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
    case 'up': {
      const endpoints = await ensureInfrastructure();
      await ensureServices();
      console.log(`Kafka        ${endpoints.kafka.brokers.join(',')}`);
      console.log(`PostgreSQL   ${urlWithoutPassword(endpoints.postgres.adminUrl)}`);
      console.log(`Redis        ${urlWithoutPassword(endpoints.redis.url)}`);
      console.log(`MLLP         127.0.0.1:${MLLP_PORT} (adt-ingest)`);
      for (const name of STACK_SERVICES) {
        console.log(`${name.padEnd(13)}${serviceUrl(name)}  (docs ${serviceUrl(name, '/docs')}, log ${serviceLogFile(name)})`);
      }
      console.log('Stop everything with: npm run down');
      return 0;
    }
    case 'status': {
      const [kafka, postgres, redis] = await Promise.all([kafkaStatus(), postgresStatus(), redisStatus()]);
      const started = kafka.pid === undefined ? 'not started by this tool' : `started by this tool, pid ${kafka.pid}`;
      console.log(`kafka:      ${availability(kafka.answering)} on ${kafka.brokers.join(',')} (${started})`);
      console.log(`            cluster id ${kafka.clusterId ?? '(none yet)'}, log ${kafka.logFile}`);
      console.log(`postgresql: ${availability(postgres.answering)} on ${urlWithoutPassword(postgres.adminUrl)}`);
      console.log(`redis:      ${availability(redis.answering)} on ${urlWithoutPassword(redis.url)}`);
      return kafka.answering && postgres.answering && redis.answering ? 0 : 1;
    }
  }
}

async function main(argument: string | undefined): Promise<number> {
  const command = parseCommand(argument);
  if (command === undefined) {
    console.error(USAGE);
    return 2;
  }
  return run(command);
}

main(process.argv[2]).then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    console.error(`stack: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);

import { SERVICES, type ServiceName, type SystemUnderTest } from '@sc/testing';
import { ensureKafka, ensurePostgres, ensureRedis, kafkaStatus, stopKafka } from '../stack';
import { isLoopbackHost, listDirectories, runCommand } from '../stack/process';

export interface FaultStep {
  name: string;
  /** What the step does, for the report. */
  fault: string;
  /** Why the step cannot run here, if it cannot. */
  skipReason(): Promise<string | undefined>;
  /**
   * Injects the fault and repairs it; resolves when the repaired part answers again, with the
   * time the fault took hold (a broker's graceful stop takes seconds, and a discharge sent
   * meanwhile may still go through: it says nothing about recovery).
   */
  inject(): Promise<number>;
}

export interface InfrastructureOptions {
  included: boolean;
  postgresOutageMs: number;
  redisOutageMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const INFRASTRUCTURE_FLAG = 'stops shared infrastructure: run with --include-infrastructure';

/** SIGKILL (no graceful shutdown), then start the same service again at once. */
export function serviceKill(system: SystemUnderTest, name: ServiceName): FaultStep {
  return {
    name: `kill ${name}`,
    fault: `SIGKILL ${name}, restart it`,
    skipReason: async () => undefined,
    inject: async () => {
      const service = system.service(name);
      await service.kill('SIGKILL');
      const down = Date.now();
      await service.start(180_000);
      return down;
    },
  };
}

/** Restarts the broker, but only one this checkout's tools/stack started: a shared broker is left alone. */
export function kafkaRestart(options: InfrastructureOptions): FaultStep {
  return {
    name: 'restart kafka',
    fault: 'stop the Kafka broker (SIGTERM), start it again',
    skipReason: async () => {
      if (!options.included) {
        return INFRASTRUCTURE_FLAG;
      }
      const brokersFromEnv = process.env.KAFKA_BROKERS;
      if (brokersFromEnv !== undefined && brokersFromEnv !== '' && brokersFromEnv !== '127.0.0.1:9092') {
        return `KAFKA_BROKERS=${brokersFromEnv} is not the broker tools/stack runs`;
      }
      return (await kafkaStatus()).pid === undefined ? 'the broker was not started by tools/stack from this checkout' : undefined;
    },
    inject: async () => {
      await stopKafka();
      const down = Date.now();
      await ensureKafka();
      return down;
    },
  };
}

function localPostgresVersion(): string | undefined {
  return listDirectories('/etc/postgresql')
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a))[0];
}

export function postgresStop(options: InfrastructureOptions): FaultStep {
  return {
    name: 'stop postgresql',
    fault: `stop PostgreSQL for ${options.postgresOutageMs / 1000} s, start it again`,
    skipReason: async () => {
      if (!options.included) {
        return INFRASTRUCTURE_FLAG;
      }
      const adminUrl = new URL(process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
      if (!isLoopbackHost(adminUrl.hostname)) {
        return 'PostgreSQL is not on this machine';
      }
      return localPostgresVersion() === undefined ? 'no local cluster under /etc/postgresql' : undefined;
    },
    inject: async () => {
      const version = localPostgresVersion() as string;
      await runCommand('pg_ctlcluster', ['--skip-systemctl-redirect', '--mode', 'fast', version, 'main', 'stop'], { cwd: '/' });
      const down = Date.now();
      await sleep(options.postgresOutageMs);
      await runCommand('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { cwd: '/' });
      await ensurePostgres();
      return down;
    },
  };
}

export function redisStop(options: InfrastructureOptions): FaultStep {
  const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  return {
    name: 'stop redis',
    fault: `shut Redis down (nosave) for ${options.redisOutageMs / 1000} s, start it as tools/stack does`,
    skipReason: async () => {
      if (!options.included) {
        return INFRASTRUCTURE_FLAG;
      }
      return isLoopbackHost(url.hostname) ? undefined : 'Redis is not on this machine';
    },
    inject: async () => {
      // redis-cli reports the connection the shutdown closes as an error; the server is down either way.
      await runCommand('redis-cli', ['-h', url.hostname, '-p', url.port || '6379', 'shutdown', 'nosave'], { cwd: '/' }).catch(() => undefined);
      const down = Date.now();
      await sleep(options.redisOutageMs);
      await ensureRedis();
      return down;
    },
  };
}

export const STEP_NAMES = [...SERVICES.map((name) => `kill ${name}`), 'restart kafka', 'stop postgresql', 'stop redis'];

export function faultSteps(system: SystemUnderTest, infrastructure: InfrastructureOptions): FaultStep[] {
  return [...SERVICES.map((name) => serviceKill(system, name)), kafkaRestart(infrastructure), postgresStop(infrastructure), redisStop(infrastructure)];
}

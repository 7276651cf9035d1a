import path from 'node:path';
import { TopicNames } from '@sc/contracts';
import { createKafka, deleteTopicsWithPrefix, provisionTopics } from '@sc/messaging';
import { signDevelopmentToken, type Role } from '@sc/security';
import { randomBytes } from 'node:crypto';
import { ServiceProcess, repoRoot, type ServiceName } from './service-process';
import { databaseUrl, dropRunDatabases, freePort, kafkaBrokers, newRunId } from './test-environment';

export interface SystemOptions {
  services: readonly ServiceName[];
  /** Extra environment for every service (e.g. LOG_LEVEL). */
  env?: NodeJS.ProcessEnv;
}

/**
 * The real services as child processes, isolated by a run id: own databases (sc_<service>_<run>),
 * own topics and consumer groups (prefix `<run>.`), own ports. `stop()` removes all of it.
 */
export class SystemUnderTest {
  readonly runId = newRunId();
  readonly topicPrefix = `${this.runId}.`;
  readonly topics = new TopicNames(this.topicPrefix);
  readonly processes = new Map<ServiceName, ServiceProcess>();
  mllpPort = 0;
  /** Tokens for this run are signed with a secret only this run knows. */
  readonly authSecret = randomBytes(24).toString('hex');

  private constructor(private readonly options: SystemOptions) {}

  static async start(options: SystemOptions): Promise<SystemUnderTest> {
    const system = new SystemUnderTest(options);
    await system.boot();
    return system;
  }

  service(name: ServiceName): ServiceProcess {
    const process = this.processes.get(name);
    if (!process) {
      throw new Error(`${name} is not part of this system`);
    }
    return process;
  }

  /** A bearer token as the identity provider would issue it. */
  token(sub: string, roles: Role[], teams: string[] = []): string {
    return signDevelopmentToken(this.authSecret, { sub, roles, teams });
  }

  /** `Authorization` header for a caller. */
  authorization(sub: string, roles: Role[], teams: string[] = []): { Authorization: string } {
    return { Authorization: `Bearer ${this.token(sub, roles, teams)}` };
  }

  private async boot(): Promise<void> {
    const kafka = createKafka({ brokers: kafkaBrokers(), clientId: this.runId });
    await provisionTopics(kafka, this.topics);
    this.mllpPort = await freePort();
    const logDir = path.join(repoRoot(), '.run', 'test-logs', this.runId);
    for (const name of this.options.services) {
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        KAFKA_BROKERS: kafkaBrokers().join(','),
        KAFKA_TOPIC_PREFIX: this.topicPrefix,
        KAFKA_PROVISION_TOPICS: 'false',
        DATABASE_URL: databaseUrl(this.runId, name),
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        MLLP_PORT: String(this.mllpPort),
        LOG_LEVEL: 'info',
        EVENT_RETRY_BASE_MS: '50',
        AUTH_JWT_SECRET: this.authSecret,
        // Tests' webhook receivers listen on this machine; the security test runs without it.
        WEBHOOK_ALLOWED_ADDRESSES: '127.0.0.1,::1',
        ...this.options.env,
      };
      this.processes.set(name, new ServiceProcess(name, env, await freePort(), path.join(logDir, `${name}.log`)));
    }
    await Promise.all([...this.processes.values()].map((service) => service.start()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.values()].map((service) => service.kill('SIGTERM')));
    await dropRunDatabases(this.runId);
    await deleteTopicsWithPrefix(createKafka({ brokers: kafkaBrokers(), clientId: this.runId }), this.topicPrefix);
  }
}

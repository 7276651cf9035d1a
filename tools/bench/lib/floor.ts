import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { createKafka, deleteTopicsWithPrefix } from '@sc/messaging';
import { ADMIN_DATABASE_URL, kafkaBrokers, newRunId, repoRoot, type SystemUnderTest } from '@sc/testing';
import { consumerLag } from '../../faults/consumer-lag';

/**
 * Consumer groups of the floor on its one event topic. The product has four consuming services;
 * three of them (pharmacy-alert, care-gap, referral) read every encounter event, the notifier
 * only the notification requests the others derive. The floor reads every event four times: the
 * fourth group stands for the notifier at the most it could cost, so the floor is not set lower
 * than the product's shape allows (`--floor-groups 3` leaves it out).
 */
export const FLOOR_CONSUMER_GROUPS = 4;

/** Partitions of the floor's topic: as many as the product's encounter topic. */
const FLOOR_PARTITIONS = 6;

export interface FloorStats {
  readonly stored: number;
  readonly commits: number;
  readonly produced: number;
  readonly consumed: readonly number[];
}

/** The floor pipeline (tools/bench/floor-pipeline.ts) running in two processes, with its own database and topic. */
export class FloorPipeline {
  private requests = 0;

  private constructor(
    readonly mllpPort: number,
    private readonly ingest: ChildProcess,
    private readonly consumers: ChildProcess,
    private readonly runId: string,
    private readonly databaseUrl: string,
  ) {}

  static async start(groups = FLOOR_CONSUMER_GROUPS): Promise<FloorPipeline> {
    const runId = `floor${newRunId()}`;
    const prefix = `${runId}.`;
    const database = `sc_floor_${runId}`;
    const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${database}"`);
    await admin.end();
    const url = new URL(ADMIN_DATABASE_URL);
    url.pathname = `/${database}`;
    const kafkaAdmin = createKafka({ brokers: kafkaBrokers(), clientId: runId }).admin();
    await kafkaAdmin.connect();
    await kafkaAdmin.createTopics({ waitForLeaders: true, topics: [{ topic: `${prefix}encounters`, numPartitions: FLOOR_PARTITIONS }] });
    await kafkaAdmin.disconnect();
    const env = {
      PATH: process.env.PATH,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      FLOOR_TOPIC: `${prefix}encounters`,
      FLOOR_DATABASE_URL: url.toString(),
      FLOOR_PATIENT_REF_KEY: randomBytes(16).toString('hex'),
      FLOOR_GROUPS: Array.from({ length: groups }, (_, index) => `${prefix}group${index + 1}`).join(','),
    };
    const entry = path.join(repoRoot(), 'dist', 'tools', 'bench', 'floor-pipeline.js');
    const spawnRole = (role: string): ChildProcess => fork(entry, [role], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const consumers = spawnRole('consume');
    await readyMessage(consumers);
    const ingest = spawnRole('ingest');
    const { port } = await readyMessage(ingest);
    return new FloorPipeline(port as number, ingest, consumers, runId, url.toString());
  }

  /** The processes to measure, by pid, named as the benchmarks' CPU groups. */
  processGroups(): Map<number, string> {
    return new Map([
      [this.ingest.pid as number, 'floor ingest'],
      [this.consumers.pid as number, 'floor consumers'],
      [process.pid, 'load client'],
    ]);
  }

  async stats(): Promise<FloorStats> {
    const [ingest, consumers] = await Promise.all([this.ask(this.ingest), this.ask(this.consumers)]);
    return { stored: ingest.stored, commits: ingest.commits, produced: ingest.produced, consumed: consumers.consumed };
  }

  /** Waits until every stored message was produced and read by every group; returns the seconds it took. */
  async drained(timeoutMs = 120_000): Promise<number> {
    const started = performance.now();
    while (performance.now() - started < timeoutMs) {
      const { stored, produced, consumed } = await this.stats();
      if (produced >= stored && consumed.every((count) => count >= produced)) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return (performance.now() - started) / 1000;
  }

  async stop(): Promise<void> {
    await Promise.all([this.ingest, this.consumers].map((child) => stopChild(child)));
    const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS "${new URL(this.databaseUrl).pathname.slice(1)}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
    await deleteTopicsWithPrefix(createKafka({ brokers: kafkaBrokers(), clientId: this.runId }), `${this.runId}.`);
  }

  private ask(child: ChildProcess): Promise<FloorStats> {
    const id = ++this.requests;
    return new Promise((resolve) => {
      const listener = (message: { kind: string; id: number; stats: FloorStats }): void => {
        if (message.kind === 'stats' && message.id === id) {
          child.off('message', listener);
          resolve(message.stats);
        }
      };
      child.on('message', listener);
      child.send({ kind: 'stats', id });
    });
  }
}

function readyMessage(child: ChildProcess): Promise<{ port?: number }> {
  return new Promise((resolve, reject) => {
    child.on('message', (message: { kind: string; port?: number }) => {
      if (message.kind === 'ready') {
        resolve(message);
      }
    });
    child.once('exit', (code) => reject(new Error(`the floor pipeline exited (${code}) before it was ready`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Waits until the product's consumers have read everything on the run's topics (a second look
 * a second later must agree, since one service's event can start another's work) and returns
 * `measure()` as taken at the first look that found no lag, so the quiet second is not counted.
 */
export async function productDrained<T>(system: SystemUnderTest, measure: () => T, timeoutMs = 120_000): Promise<{ seconds: number; measured: T }> {
  const started = performance.now();
  const admin = createKafka({ brokers: kafkaBrokers(), clientId: `${system.runId}-drain` }).admin();
  await admin.connect();
  try {
    const topics = system.topics.all().map((topic) => topic.name);
    let quietSince: { seconds: number; measured: T } | undefined;
    for (;;) {
      const groups = (await admin.listGroups()).groups.map((group) => group.groupId).filter((groupId) => groupId.startsWith(system.topicPrefix));
      let lag = 0;
      for (const groupId of groups) {
        lag += (await consumerLag(admin, groupId, topics)).reduce((sum, partition) => sum + partition.lag, 0);
      }
      if (lag > 0) {
        quietSince = undefined;
      } else if (quietSince === undefined) {
        quietSince = { seconds: (performance.now() - started) / 1000, measured: measure() };
      } else {
        return quietSince;
      }
      if (performance.now() - started > timeoutMs) {
        return quietSince ?? { seconds: (performance.now() - started) / 1000, measured: measure() };
      }
      await new Promise((resolve) => setTimeout(resolve, lag === 0 ? 1000 : 250));
    }
  } finally {
    await admin.disconnect();
  }
}

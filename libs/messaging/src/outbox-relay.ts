import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Client, type ClientConfig } from 'pg';
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { ServiceConfig, kafkaTransport, loadConfig } from '@sc/config';
import { createLogger } from '@sc/observability';
import { createKafka } from './kafka-connection';
import { purgeInbox, purgePublishedOutbox } from './messaging-retention';

export interface OutboxRelayOptions {
  databaseUrl: string;
  serviceName: string;
  batchSize?: number;
  /** Fallback poll when no NOTIFY arrives (e.g. it was missed during a reconnect). */
  pollIntervalMs?: number;
  /** Delay before retrying after Kafka or the database failed. */
  failureBackoffMs?: number;
  /** pg's TLS option for the relay's own connection. */
  ssl?: ClientConfig['ssl'];
  /**
   * Published rows created longer ago than this are deleted by the leader, a bounded batch at a
   * time between publishes; unpublished rows never are. Undefined keeps every row.
   */
  retentionMs?: number;
  /**
   * The leader also deletes the service's inbox rows (the record of which events it handled)
   * older than this. It must outlast every way an event can come back: the topics' retention and
   * the dead-letter topics'. Undefined keeps every row.
   */
  inboxRetentionMs?: number;
  /** How often the leader looks for rows past retention. */
  purgeIntervalMs?: number;
  /**
   * Run on a worker thread of its own (compiled code only), for a service whose event loop answers
   * senders that wait (adt-ingest's MLLP): a publish then never holds up an acknowledgment. It
   * costs the thread's own heap (tens of MiB), so consumers, whose loop only handles events, keep
   * the relay on theirs.
   */
  ownThread?: boolean;
}

interface QueuedRow {
  seq: string;
  topic: string | null;
  message_key: string;
  payload: string;
  headers: Record<string, string>;
}

/**
 * Published rows leave dead entries in the queue's primary key until vacuum. A bitmap scan (which
 * the planner prefers while it expects few rows) visits every one of them and their heap pages on
 * each poll and never marks them dead, and a sequential scan reads the whole table; an ordered
 * index scan stops at the batch size and marks each dead entry it passes, so later polls skip it.
 * Every statement of the relay has an index that fits, so its session takes index scans only.
 * Its commits do not wait for the WAL flush (`synchronous_commit=off`): a dequeue lost in a
 * database crash only publishes the row again, which consumers absorb, and waiting would add an
 * fsync per published batch to the work of every service.
 */
const RELAY_SESSION_SETTINGS = '-c enable_bitmapscan=off -c enable_seqscan=off -c jit=off -c synchronous_commit=off';

/**
 * The next queued rows in sequence order. The queue is read first and the outbox by primary key
 * after: a join lets the planner merge along the outbox's whole primary key. A queued sequence
 * number with no outbox row comes back with a null topic.
 */
const NEXT_BATCH = `SELECT queued.seq, o.topic, o.message_key, o.payload, o.headers
  FROM unnest(ARRAY(SELECT seq FROM outbox_pending ORDER BY seq LIMIT $1)) AS queued(seq)
  LEFT JOIN outbox o ON o.seq = queued.seq
  ORDER BY queued.seq`;

/** What the relay has done, as the service's metrics read it. */
interface RelayCounters {
  published: number;
  purged: number;
  inboxPurged: number;
  leader: boolean;
}

/**
 * The relay's work, on whichever thread runs it: one relay per service database is the leader
 * (a PostgreSQL advisory lock), so rows leave in `seq` order and one patient's events stay in
 * order. A row leaves the queue (`outbox_pending`) only after Kafka acknowledged it (acks=all); a
 * crash in between republishes it, which consumers absorb through their inbox.
 */
class RelayLoop {
  private readonly logger = createLogger(OutboxRelay.name);
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly failureBackoffMs: number;
  private client: Client | undefined;
  private producer: Producer | undefined;
  private running = false;
  private leader = false;
  private wake: (() => void) | undefined;
  private notified = false;
  private loop: Promise<void> | undefined;
  private published = 0;
  private purged = 0;
  private inboxPurged = 0;
  private lastPurgeAt = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: OutboxRelayOptions,
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.failureBackoffMs = options.failureBackoffMs ?? 1000;
  }

  /** Called when a counter changes. */
  onProgress: (counters: RelayCounters) => void = () => undefined;

  get counters(): RelayCounters {
    return { published: this.published, purged: this.purged, inboxPurged: this.inboxPurged, leader: this.leader };
  }

  start(): void {
    if (this.running) {
      return;
    }
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.disconnect();
  }

  /** Rows not yet published (the outbox backlog). */
  async backlog(): Promise<number> {
    const client = await this.connectedClient();
    const result = await client.query<{ count: string }>('SELECT count(*) AS count FROM outbox_pending');
    return Number(result.rows[0].count);
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (!this.leader) {
          this.leader = await this.tryBecomeLeader();
          this.onProgress(this.counters);
        }
        const moved = this.leader ? await this.publishBatch() : 0;
        if (this.leader && moved < this.batchSize) {
          await this.purgeIfDue();
        }
        if (moved < this.batchSize) {
          await this.sleepUntilNotified(this.pollIntervalMs);
        }
      } catch (error) {
        this.logger.warn({ err: error }, 'outbox relay failed; will retry');
        await this.disconnect();
        await this.sleepUntilNotified(this.failureBackoffMs);
      }
    }
  }

  private async tryBecomeLeader(): Promise<boolean> {
    const client = await this.connectedClient();
    const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
      `outbox-relay:${this.options.serviceName}`,
    ]);
    return result.rows[0].locked;
  }

  private async publishBatch(): Promise<number> {
    const client = await this.connectedClient();
    this.notified = false;
    const { rows } = await client.query<QueuedRow>(NEXT_BATCH, [this.batchSize]);
    if (rows.length === 0) {
      return 0;
    }
    const found = rows.filter((row): row is QueuedRow & { topic: string } => row.topic !== null);
    if (found.length < rows.length) {
      this.logger.warn({ orphans: rows.length - found.length }, 'queued outbox rows no longer exist; dropping them from the queue');
    }
    const byTopic = new Map<string, Message[]>();
    for (const row of found) {
      const messages = byTopic.get(row.topic) ?? [];
      messages.push({ key: row.message_key, value: row.payload, headers: row.headers });
      byTopic.set(row.topic, messages);
    }
    if (byTopic.size > 0) {
      const producer = await this.connectedProducer();
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    }
    await client.query('DELETE FROM outbox_pending WHERE seq = ANY($1::bigint[])', [rows.map((row) => row.seq)]);
    this.published += found.length;
    this.onProgress(this.counters);
    return rows.length;
  }

  /** At most once per purge interval, the leader keeps its outbox and inbox within retention (see messaging-retention). */
  private async purgeIfDue(): Promise<void> {
    if (Date.now() - this.lastPurgeAt < (this.options.purgeIntervalMs ?? 60_000)) {
      return;
    }
    this.lastPurgeAt = Date.now();
    const client = await this.connectedClient();
    const keepGoing = (): boolean => this.running;
    if (this.options.inboxRetentionMs !== undefined) {
      this.inboxPurged += await purgeInbox(client, this.options.inboxRetentionMs, keepGoing);
    }
    if (this.options.retentionMs !== undefined) {
      this.purged += await purgePublishedOutbox(client, this.options.retentionMs, keepGoing);
    }
    this.onProgress(this.counters);
  }

  private async connectedClient(): Promise<Client> {
    if (this.client) {
      return this.client;
    }
    const client = new Client({
      connectionString: this.options.databaseUrl,
      application_name: `${this.options.serviceName}-relay`,
      ssl: this.options.ssl,
      options: RELAY_SESSION_SETTINGS,
    });
    client.on('error', (error) => {
      this.logger.warn({ err: error }, 'outbox relay connection lost');
      void this.disconnect();
    });
    client.on('notification', () => {
      this.notified = true;
      this.wake?.();
    });
    await client.connect();
    await client.query('LISTEN outbox');
    this.client = client;
    return client;
  }

  private async connectedProducer(): Promise<Producer> {
    if (this.producer) {
      return this.producer;
    }
    // One request in flight keeps batches in order on retry; the relay is the only writer.
    const producer = this.kafka.producer({ maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    this.producer = producer;
    return producer;
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    const producer = this.producer;
    this.client = undefined;
    this.producer = undefined;
    // The advisory lock dies with the connection; take it again before publishing.
    this.leader = false;
    this.onProgress(this.counters);
    await client?.end().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
  }

  private sleepUntilNotified(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.notified) {
        this.notified = false;
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

type ToWorker = { kind: 'stop' } | { kind: 'backlog'; id: number };
type FromWorker = { kind: 'progress'; counters: RelayCounters } | { kind: 'backlog'; id: number; value?: number; error?: string };

interface RelayWorkerData {
  readonly outboxRelay: OutboxRelayOptions;
}

/** How long a stopping worker may take to finish its batch and disconnect before it is terminated. */
const STOP_TIMEOUT_MS = 10_000;

/** Where the relay runs: compiled (a service), on a worker thread; from TypeScript source (tests under jest), on the caller's. */
const RUNS_IN_WORKER = __filename.endsWith('.js');

/**
 * Publishes outbox rows to Kafka in commit order (see RelayLoop). With `ownThread` it runs on a
 * worker thread, so the service's event loop (adt-ingest's answers MLLP) never waits behind a
 * publish: a thread rather than a process because it lives and dies with the service, needs
 * nothing deployed, and is leader or not through its own database connection as before. The worker
 * builds its Kafka client from the service's validated settings (KAFKA_BROKERS, TLS, SASL),
 * exactly as the platform builds the service's; `kafka` is used when the relay runs on the
 * caller's thread.
 */
export class OutboxRelay {
  private readonly logger = createLogger(OutboxRelay.name);
  private counters: RelayCounters = { published: 0, purged: 0, inboxPurged: 0, leader: false };
  private loop: RelayLoop | undefined;
  private worker: Worker | undefined;
  private running = false;
  private exited: Promise<void> = Promise.resolve();
  private nextRequest = 0;
  private readonly pending = new Map<number, { resolve: (value: number) => void; reject: (error: Error) => void }>();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: OutboxRelayOptions,
  ) {
    if (!(RUNS_IN_WORKER && options.ownThread)) {
      this.loop = new RelayLoop(kafka, options);
    }
  }

  get publishedCount(): number {
    return this.loop?.counters.published ?? this.counters.published;
  }

  /** Published rows this instance deleted past retention since start. */
  get purgedCount(): number {
    return this.loop?.counters.purged ?? this.counters.purged;
  }

  /** Inbox rows this instance deleted past retention since start. */
  get inboxPurgedCount(): number {
    return this.loop?.counters.inboxPurged ?? this.counters.inboxPurged;
  }

  get isLeader(): boolean {
    return this.loop?.counters.leader ?? this.counters.leader;
  }

  start(): void {
    if (this.running) {
      return;
    }
    this.running = true;
    if (this.loop) {
      this.loop.start();
    } else {
      this.startWorker();
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop?.stop();
    const worker = this.worker;
    if (worker) {
      worker.postMessage({ kind: 'stop' } satisfies ToWorker);
      const timer = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
      await this.exited;
      clearTimeout(timer);
    }
  }

  /** Rows not yet published (the outbox backlog). */
  async backlog(): Promise<number> {
    if (this.loop) {
      return this.loop.backlog();
    }
    const worker = this.worker;
    if (!worker) {
      throw new Error('the outbox relay has not started');
    }
    const id = (this.nextRequest += 1);
    return new Promise<number>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ kind: 'backlog', id } satisfies ToWorker);
    });
  }

  private startWorker(): void {
    const worker = new Worker(__filename, { workerData: { outboxRelay: this.options } satisfies RelayWorkerData });
    this.worker = worker;
    worker.on('message', (message: FromWorker) => {
      switch (message.kind) {
        case 'progress':
          this.counters = message.counters;
          break;
        case 'backlog': {
          const request = this.pending.get(message.id);
          this.pending.delete(message.id);
          if (message.value !== undefined) {
            request?.resolve(message.value);
          } else {
            request?.reject(new Error(message.error ?? 'backlog unavailable'));
          }
          break;
        }
      }
    });
    worker.on('error', (error) => this.logger.error({ err: error }, 'outbox relay worker failed'));
    this.exited = new Promise((resolve) =>
      worker.once('exit', () => {
        this.pending.forEach(({ reject }) => reject(new Error('outbox relay worker exited')));
        this.pending.clear();
        this.counters = { ...this.counters, leader: false };
        if (this.running) {
          // A worker that died must not leave the outbox unpublished: start another.
          setTimeout(() => this.running && this.startWorker(), this.options.failureBackoffMs ?? 1000).unref();
        }
        resolve();
      }),
    );
  }
}

/** The worker thread's side: runs the loop with a Kafka client of its own and answers the service's thread. */
function runRelayWorker(data: RelayWorkerData): void {
  const port = parentPort;
  if (!port) {
    return;
  }
  const config = loadConfig(ServiceConfig);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: `${data.outboxRelay.serviceName}-relay`, ...kafkaTransport(config) });
  const loop = new RelayLoop(kafka, data.outboxRelay);
  loop.onProgress = (counters) => port.postMessage({ kind: 'progress', counters } satisfies FromWorker);
  port.on('message', (message: ToWorker) => {
    switch (message.kind) {
      case 'stop':
        void loop.stop().finally(() => port.close());
        break;
      case 'backlog':
        loop.backlog().then(
          (value) => port.postMessage({ kind: 'backlog', id: message.id, value } satisfies FromWorker),
          (error: unknown) => port.postMessage({ kind: 'backlog', id: message.id, error: error instanceof Error ? error.message : String(error) } satisfies FromWorker),
        );
        break;
    }
  });
  loop.start();
}

if (!isMainThread && (workerData as Partial<RelayWorkerData> | undefined)?.outboxRelay) {
  runRelayWorker(workerData as RelayWorkerData);
}

import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Client, type QueryConfig, type QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';
import { databaseUrlFor, postgresTls } from '@sc/config';
import { createLogger } from '@sc/observability';
import { SERVICE_CONFIG } from '@sc/platform';
import type { AdtIngestConfig } from '../config';

/**
 * Settings of the batch connections' sessions. Their statements are parsed once per connection
 * and planned once (a generic plan): every one of them looks rows up by key for a batch of known
 * size, so the right plan is index lookups whatever the tables' size when it was made. With
 * sequential scans and hash and merge joins off, a plan made while the tables were nearly empty
 * still probes the indexes once they hold millions of rows; with them on, it went on scanning
 * the tables whole.
 */
const BATCH_SESSION_SETTINGS = [
  'jit=off',
  'plan_cache_mode=force_generic_plan',
  'enable_seqscan=off',
  'enable_bitmapscan=off',
  'enable_hashjoin=off',
  'enable_mergejoin=off',
]
  .map((setting) => `-c ${setting}`)
  .join(' ');

/** A statement of a batch: named statements are parsed once per connection. */
export type BatchStatement = QueryConfig & { name: string };

/**
 * One transaction on one of the batch connections. The connections pipeline: BEGIN goes out with
 * the first statement and COMMIT with the last, so a batch costs two round trips, and its
 * acknowledgments wait for the COMMIT's answer.
 */
export class BatchTransaction {
  private begun = false;

  constructor(private readonly client: Client) {}

  /** Runs a statement in the transaction; the first is sent together with BEGIN. */
  async query<Row extends QueryResultRow>(statement: BatchStatement | string, values?: unknown[]): Promise<Row[]> {
    if (this.begun) {
      return (await this.client.query<Row>(statement, values)).rows;
    }
    this.begun = true;
    const [begin, result] = await Promise.allSettled([this.client.query('BEGIN'), this.client.query<Row>(statement, values)]);
    if (begin.status === 'rejected') {
      throw begin.reason;
    }
    if (result.status === 'rejected') {
      throw result.reason;
    }
    return result.value.rows;
  }

  /**
   * Runs the transaction's last statement and commits, in one round trip; resolves only once the
   * commit is durable. A failed statement leaves the transaction aborted, so the COMMIT behind it
   * rolls back.
   */
  async commitWith<Row extends QueryResultRow>(statement: BatchStatement): Promise<Row[]> {
    if (!this.begun) {
      throw new Error('commitWith before the first statement of the transaction');
    }
    const [result, commit] = await Promise.allSettled([this.client.query<Row>(statement), this.client.query('COMMIT')]);
    if (result.status === 'rejected') {
      throw result.reason;
    }
    if (commit.status === 'rejected') {
      throw commit.reason;
    }
    if (commit.value.command !== 'COMMIT') {
      throw new Error(`the transaction ended with ${commit.value.command}, not COMMIT`);
    }
    return result.value.rows;
  }
}

/**
 * adt-ingest's own connections for its batches, one per batch in flight, apart from the service's
 * pool: they pipeline and keep their statements parsed and planned (see BATCH_SESSION_SETTINGS),
 * which pooled connections shared with the operator API should not.
 */
@Injectable()
export class BatchConnections implements OnApplicationShutdown {
  private readonly logger = createLogger(BatchConnections.name);
  private readonly idle: Client[] = [];
  private readonly broken = new WeakSet<Client>();
  private readonly url: string;
  private readonly ssl: ReturnType<typeof postgresTls>;

  constructor(
    // Injected so the connections open only after the database was created and migrated.
    _migrated: DataSource,
    @Inject(SERVICE_CONFIG) config: AdtIngestConfig,
  ) {
    this.url = databaseUrlFor(config, 'adt-ingest');
    this.ssl = postgresTls(config);
  }

  /** Runs `work` in a transaction of its own; rolls back if it throws before committing. */
  async transaction<T>(work: (transaction: BatchTransaction) => Promise<T>): Promise<T> {
    const client = this.idle.pop() ?? (await this.open());
    try {
      const result = await work(new BatchTransaction(client));
      this.release(client);
      return result;
    } catch (error) {
      if (!this.broken.has(client)) {
        await client.query('ROLLBACK').then(
          () => this.release(client),
          () => this.discard(client),
        );
      }
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((client) => client.end().catch(() => undefined)));
  }

  private async open(): Promise<Client> {
    const client = new Client({ connectionString: this.url, ssl: this.ssl, application_name: 'adt-ingest-batches', options: BATCH_SESSION_SETTINGS, pipeline: true });
    client.on('error', (error) => {
      this.logger.warn({ err: error }, 'batch connection lost');
      this.discard(client);
    });
    try {
      await client.connect();
    } catch (error) {
      this.discard(client);
      throw error;
    }
    return client;
  }

  private release(client: Client): void {
    if (!this.broken.has(client)) {
      this.idle.push(client);
    }
  }

  private discard(client: Client): void {
    this.broken.add(client);
    const index = this.idle.indexOf(client);
    if (index >= 0) {
      this.idle.splice(index, 1);
    }
    client.end().catch(() => undefined);
  }
}

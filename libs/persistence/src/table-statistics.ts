import { Client, type ClientConfig } from 'pg';
import { createLogger } from '@sc/observability';

export interface TableStatisticsOptions {
  databaseUrl: string;
  serviceName: string;
  ssl?: ClientConfig['ssl'];
  /** How often the keeper looks for tables whose statistics are out of date. */
  intervalMs: number;
  /**
   * A table is analyzed once this many of its rows, plus `changedShare` of them, changed since its
   * last analyze. Once a table has statistics the planner scales them with its size, so another
   * analyze matters little until it has grown a lot: by default, when it has doubled.
   */
  minChangedRows?: number;
  changedShare?: number;
}

/**
 * Bounds the keeper's own statements; SKIP_LOCKED already passes over a table that autovacuum or
 * a migration holds, so it never queues in front of the service's writes.
 *
 * The keeper's statistics only have to tell a key lookup from a scan of the table, which a sample
 * of 3,000 rows does as well as PostgreSQL's default of 30,000. The default took every row of a
 * young outbox or received-messages table and sorted all their payloads for histograms nothing
 * uses: under a 500 msg/s feed the keepers' analyzes took 2.2 s of PostgreSQL's time in 20 s, with
 * this sample 1.2-1.4 s. A column's own STATISTICS setting, or an operator's ANALYZE, still takes
 * the larger sample.
 */
const KEEPER_STATISTICS_TARGET = 10;
const KEEPER_SESSION_SETTINGS = `-c statement_timeout=60000 -c lock_timeout=1000 -c default_statistics_target=${KEEPER_STATISTICS_TARGET}`;

/**
 * Analyzes the service's tables whose rows changed much since PostgreSQL last took their
 * statistics. Without statistics the planner takes each looked-up value to match one row in 200,
 * so a run's lookup of 100 patients looks like half the table and is planned as a sequential scan:
 * with every service under a 16 x 8 MLLP load, care-gap read its gaps and patients whole several
 * times a second. Autovacuum takes statistics only every `autovacuum_naptime` (a minute by
 * default), so a young table growing by a thousand rows a second is read whole for that long, and
 * where autovacuum is off (as on the development machine) forever. Its thresholds are lower than
 * these, so where it keeps up this keeper finds nothing to do; where it does not, a young table is
 * analyzed at about 500 rows and then each time it doubles.
 *
 * One instance per database analyzes (a PostgreSQL advisory lock), on a connection of its own, so
 * neither the relay nor a transaction waits for it.
 */
export class TableStatisticsKeeper {
  private readonly logger = createLogger(TableStatisticsKeeper.name);
  private readonly minChangedRows: number;
  private readonly changedShare: number;
  private client: Client | undefined;
  private leader = false;
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> = Promise.resolve();
  private running = false;
  private analyzed = 0;

  constructor(private readonly options: TableStatisticsOptions) {
    this.minChangedRows = options.minChangedRows ?? 500;
    this.changedShare = options.changedShare ?? 1;
  }

  /** Tables this instance analyzed since start. */
  get analyzedCount(): number {
    return this.analyzed;
  }

  start(): void {
    if (this.running) {
      return;
    }
    this.running = true;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.pass;
    await this.disconnect();
  }

  /**
   * Analyzes, if this instance holds the database's keeper lock, every table of the service whose
   * changes since its last analyze passed the threshold; answers the tables it analyzed.
   */
  async analyzeStale(): Promise<string[]> {
    const client = await this.connectedClient();
    if (!this.leader) {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [`table-statistics:${this.options.serviceName}`]);
      this.leader = rows[0].locked;
      if (!this.leader) {
        return [];
      }
    }
    const { rows } = await client.query<{ name: string }>(
      `SELECT format('%I.%I', s.schemaname, s.relname) AS name
       FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
       WHERE s.n_mod_since_analyze >= $1 + $2 * greatest(c.reltuples, 0)
       ORDER BY s.n_mod_since_analyze DESC`,
      [this.minChangedRows, this.changedShare],
    );
    for (const { name } of rows) {
      await client.query(`ANALYZE (SKIP_LOCKED) ${name}`);
      this.analyzed += 1;
    }
    return rows.map((row) => row.name);
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.pass = this.analyzeStale()
        .then(() => undefined)
        .catch(async (error: unknown) => {
          this.logger.warn({ err: error }, 'table statistics pass failed; will retry');
          await this.disconnect();
        })
        .finally(() => {
          if (this.running) {
            this.schedule();
          }
        });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  private async connectedClient(): Promise<Client> {
    if (this.client) {
      return this.client;
    }
    const client = new Client({
      connectionString: this.options.databaseUrl,
      application_name: `${this.options.serviceName}-statistics`,
      ssl: this.options.ssl,
      options: KEEPER_SESSION_SETTINGS,
    });
    client.on('error', (error) => {
      this.logger.warn({ err: error }, 'table statistics connection lost');
      void this.disconnect();
    });
    await client.connect();
    this.client = client;
    const { rows } = await client.query<{ autovacuum: string }>('SHOW autovacuum');
    if (rows[0].autovacuum !== 'on') {
      this.logger.warn(
        'PostgreSQL runs with autovacuum off: this service keeps the statistics of its tables current itself, but nothing reclaims their dead rows; turn autovacuum on or vacuum on a schedule',
      );
    }
    return client;
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    // The advisory lock dies with the connection.
    this.leader = false;
    await client?.end().catch(() => undefined);
  }
}

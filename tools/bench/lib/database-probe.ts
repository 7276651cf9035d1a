import { Client } from 'pg';

export interface DatabaseProbe {
  /** Median time of `SELECT 1`: what one round trip costs right now. */
  readonly roundTripMs: number;
  /** Single-row transactions per second from one connection (each a commit, synchronous_commit on). */
  readonly commitsPerSecond: number;
}

/** Measures the database's round trip and commit rate, so a benchmark says what conditions it ran in. */
export async function probeDatabase(url: string): Promise<DatabaseProbe> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const trips: number[] = [];
    for (let index = 0; index < 200; index += 1) {
      const started = process.hrtime.bigint();
      await client.query('SELECT 1');
      trips.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    // A regular table: a temporary one is not WAL-logged, so its commits would not wait for the disk.
    await client.query('CREATE TABLE bench_probe (id serial PRIMARY KEY, value text)');
    const started = process.hrtime.bigint();
    const commits = 200;
    for (let index = 0; index < commits; index += 1) {
      await client.query('BEGIN');
      await client.query('INSERT INTO bench_probe (value) VALUES ($1)', ['x']);
      await client.query('COMMIT');
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await client.query('DROP TABLE bench_probe');
    trips.sort((a, b) => a - b);
    return { roundTripMs: Math.round(trips[Math.floor(trips.length / 2)] * 1000) / 1000, commitsPerSecond: Math.round(commits / seconds) };
  } finally {
    await client.end();
  }
}

/** Server settings that move these benchmarks' figures; each result records them (PostgreSQL's defaults are small: 128MB buffers, 1GB of WAL between checkpoints). */
const SETTINGS = ['shared_buffers', 'max_wal_size', 'checkpoint_timeout', 'synchronous_commit', 'autovacuum', 'wal_compression'];

export async function postgresqlSettings(url: string): Promise<Record<string, string>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; value: string }>('SELECT name, current_setting(name) AS value FROM unnest($1::text[]) AS name', [SETTINGS]);
    return Object.fromEntries(rows.map(({ name, value }) => [name, value]));
  } finally {
    await client.end();
  }
}

/** WAL flushes (fsync/fdatasync) of the whole PostgreSQL server since its statistics were reset (`pg_stat_wal.wal_sync`). */
export async function walSyncs(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ syncs: string }>('SELECT wal_sync AS syncs FROM pg_stat_wal');
    return Number(rows[0].syncs);
  } finally {
    await client.end();
  }
}

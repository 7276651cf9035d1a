import { Client } from 'pg';

/** TLS to PostgreSQL, in the shape both pg and TypeORM accept. */
export interface DatabaseTls {
  rejectUnauthorized: boolean;
  ca?: string;
}
import { DataSource, type MixedList, type EntitySchema } from 'typeorm';

// `undefined_table`-style race: two instances creating the same database at once.
const DUPLICATE_DATABASE = '42P04';
const UNIQUE_VIOLATION = '23505';

function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!/^[a-zA-Z0-9_-]+$/.test(name)) {
    throw new Error('database name in DATABASE_URL must be letters, digits, _ or -');
  }
  return name;
}

function adminUrlFor(url: string): string {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  return admin.toString();
}

function pgCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

/** Creates the service's database if it does not exist; safe when several instances start together. */
export async function ensureDatabase(url: string, ssl?: DatabaseTls): Promise<void> {
  const name = databaseName(url);
  const client = new Client({ connectionString: adminUrlFor(url), ssl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name}"`);
    }
  } catch (error) {
    if (pgCode(error) !== DUPLICATE_DATABASE && pgCode(error) !== UNIQUE_VIOLATION) {
      throw error;
    }
  } finally {
    await client.end();
  }
}

/** Drops a database (tests only); terminates its connections first. */
export async function dropDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  const client = new Client({ connectionString: adminUrlFor(url) });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/**
 * JIT compilation is off: these are short OLTP statements, and when a backlog grows a table
 * faster than autovacuum analyses it, cost estimates cross jit_above_cost and PostgreSQL compiled
 * statements on every execution (5% of the machine in LLVM during a care-gap replay, which ran
 * 20% faster without it). A startup option rather than a migration, so it holds on every pooled
 * connection from the first one.
 */
const SESSION_SETTINGS = '-c jit=off';

export interface DatabaseOptions {
  url: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize: number;
  /** Used for the migration lock and the connection's application_name. */
  serviceName: string;
  /** TLS to PostgreSQL (see postgresTls in @sc/config). */
  ssl?: DatabaseTls;
}

/**
 * Opens the service's own database: creates it if absent, connects, and runs the checked-in
 * migrations under a PostgreSQL advisory lock so two instances starting together do not race.
 * `synchronize` is never used.
 */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  await ensureDatabase(options.url, options.ssl);
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.url,
    entities: options.entities ?? [],
    migrations: options.migrations,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: options.serviceName,
    ssl: options.ssl,
    extra: { max: options.poolSize, options: SESSION_SETTINGS },
  });
  await dataSource.initialize();
  try {
    await migrateWithLock(dataSource, options.serviceName);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}

export async function migrateWithLock(dataSource: DataSource, lockName: string): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`migrations:${lockName}`]);
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`migrations:${lockName}`]);
    }
  } finally {
    await runner.release();
  }
}

import type { ClientBase } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { openDatabase } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, newRunId } from '@sc/testing';

let migrationRuns = 0;

class SlowMigration1700000000001 implements MigrationInterface {
  name = 'SlowMigration1700000000001';
  async up(runner: QueryRunner): Promise<void> {
    migrationRuns += 1;
    await runner.query('CREATE TABLE things (id int PRIMARY KEY)');
    // Long enough that an unlocked second instance would run this migration too.
    await runner.query('SELECT pg_sleep(0.5)');
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE things');
  }
}

class JoinedTables1700000000001 implements MigrationInterface {
  name = 'JoinedTables1700000000001';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE TABLE visits (id int PRIMARY KEY, patient int NOT NULL)');
    await runner.query('CREATE TABLE messages (id int PRIMARY KEY, visit int NOT NULL)');
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE messages, visits');
  }
}

const JOIN_BY_IDS = 'SELECT m.id, v.patient FROM messages m JOIN visits v ON v.id = m.visit WHERE m.id = ANY($1::int[])';

interface PlanNode {
  'Node Type': string;
  Plans?: PlanNode[];
}

function nodeTypes(node: PlanNode): string[] {
  return [node['Node Type'], ...(node.Plans ?? []).flatMap(nodeTypes)];
}

describe(openDatabase.name, () => {
  const runId = newRunId();
  afterAll(() => dropRunDatabases(runId));

  it('creates the database if absent and migrates it once when two instances start together', async () => {
    const url = databaseUrl(runId, 'lock');
    const options = { url, serviceName: `lock-${runId}`, migrations: [SlowMigration1700000000001], poolSize: 2 };
    const [first, second] = await Promise.all([openDatabase(options), openDatabase(options)]);
    try {
      expect(migrationRuns).toBe(1);
      const applied: Array<{ name: string }> = await first.query('SELECT name FROM migrations');
      expect(applied.map((row) => row.name)).toEqual(['SlowMigration1700000000001']);
      await expect(second.query('SELECT count(*) FROM things')).resolves.toEqual([{ count: '0' }]);
    } finally {
      await first.destroy();
      await second.destroy();
    }
  }, 30_000);

  it('plans a prepared statement for the rows it is given, so one prepared on empty tables uses their indexes once they have grown, and never JIT-compiles', async () => {
    const dataSource = await openDatabase({ url: databaseUrl(runId, 'plans'), serviceName: `plans-${runId}`, migrations: [JoinedTables1700000000001], poolSize: 2 });
    const runner = dataSource.createQueryRunner();
    try {
      const connection = (await runner.connect()) as ClientBase;
      // More executions than PostgreSQL's five before it considers a cached generic plan.
      for (let run = 0; run < 8; run += 1) {
        await connection.query({ name: 'join-by-ids', text: JOIN_BY_IDS, values: [[run]] });
      }
      await connection.query('INSERT INTO visits SELECT n, n FROM generate_series(1, 20000) n');
      await connection.query('INSERT INTO messages SELECT n, n FROM generate_series(1, 20000) n');
      await connection.query('ANALYZE visits, messages');

      const [{ 'QUERY PLAN': explained }] = (await connection.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>("EXPLAIN (FORMAT JSON) EXECUTE \"join-by-ids\"('{7,8}')")).rows;
      const [counts] = (await connection.query<{ generic_plans: string; custom_plans: string }>("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'join-by-ids'")).rows;

      expect(nodeTypes(explained[0].Plan).filter((type) => type === 'Seq Scan')).toEqual([]);
      expect(Number(counts.generic_plans)).toBe(0);
      expect(Number(counts.custom_plans)).toBeGreaterThanOrEqual(8);
      await expect(connection.query('SHOW plan_cache_mode')).resolves.toMatchObject({ rows: [{ plan_cache_mode: 'force_custom_plan' }] });
      await expect(connection.query('SHOW jit')).resolves.toMatchObject({ rows: [{ jit: 'off' }] });
    } finally {
      await runner.release();
      await dataSource.destroy();
    }
  }, 30_000);
});

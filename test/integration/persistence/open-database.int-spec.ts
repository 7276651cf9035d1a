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

  it('opens every pooled connection with JIT compilation off', async () => {
    const dataSource = await openDatabase({ url: databaseUrl(runId, 'jit'), serviceName: `jit-${runId}`, migrations: [], poolSize: 2 });
    try {
      const answers = await Promise.all([0, 1].map(() => dataSource.transaction((manager) => manager.query('SHOW jit'))));
      expect(answers).toEqual([[{ jit: 'off' }], [{ jit: 'off' }]]);
    } finally {
      await dataSource.destroy();
    }
  }, 30_000);
});

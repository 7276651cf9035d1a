import { openDatabase } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, newRunId } from '@sc/testing';
import { MIGRATIONS } from '../../../apps/notifier/src/migrations';

describe('notifier migrations', () => {
  const runId = newRunId();
  afterAll(() => dropRunDatabases(runId));

  it('apply on a database with stream deliveries, revert, and apply again', async () => {
    const options = { url: databaseUrl(runId, 'notifier-migrations'), serviceName: 'notifier-migrations', poolSize: 2 };
    const initial = await openDatabase({ ...options, migrations: MIGRATIONS.slice(0, 1) });
    const id = '7d1c1f0e-54a5-4c37-9e5c-0b1c3f0a9e21';
    try {
      await initial.query(
        `INSERT INTO notifications (id, title, urgency, link, item_type, item_id, source_event_id, correlation_id)
         VALUES ($1, 'Refill on hold', 'routine', '/v1/x', 'pharmacy-task', 'x', $1, 'c')`,
        [id],
      );
      await initial.query(`INSERT INTO deliveries (notification_id, channel, recipient, status) VALUES ($1, 'sse', 'user:a', 'pending')`, [id]);
    } finally {
      await initial.destroy();
    }

    // Up to the migration under test, so that undoing the last one reverts exactly it.
    const underTest = MIGRATIONS.slice(0, 2);
    const current = await openDatabase({ ...options, migrations: underTest });
    try {
      const [row] = await current.query('SELECT d.notification_id, d.next_attempt_at, n.escalation_of FROM deliveries d JOIN notifications n ON n.id = d.notification_id');
      expect(row).toEqual({ notification_id: id, next_attempt_at: null, escalation_of: null });

      await current.undoLastMigration({ transaction: 'each' });
      expect(await current.query(`SELECT to_regclass('timers') AS timers`)).toEqual([{ timers: null }]);
      await current.runMigrations({ transaction: 'each' });
      const applied: Array<{ name: string }> = await current.query('SELECT name FROM migrations ORDER BY id');
      expect(applied.map((migration) => migration.name)).toEqual(underTest.map((migration) => migration.name));
    } finally {
      await current.destroy();
    }
  }, 30_000);
});

import { Client } from 'pg';
import { openDatabase } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, newRunId } from '@sc/testing';
import { InitialSchema1763800000000 } from '../../../apps/referral/src/migrations/1763800000000-initial-schema';
import { ReferralQueues1764300000000 } from '../../../apps/referral/src/migrations/1764300000000-referral-queues';

describe(ReferralQueues1764300000000.name, () => {
  const runId = newRunId();
  const url = databaseUrl(runId, 'referral-migrations');

  afterAll(async () => {
    await dropRunDatabases(runId);
  });

  const rows = async <T>(sql: string): Promise<T[]> => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  };

  it('carries discharges cancelled before the upgrade into episodes, and back on revert', async () => {
    const before = await openDatabase({ url, serviceName: 'referral-migrations', migrations: [InitialSchema1763800000000], poolSize: 2 });
    await before.query(`INSERT INTO cancelled_episodes (correlation_id, source_event_id, cancelled_at) VALUES ('enc:LGH:V9', gen_random_uuid(), '2026-11-01T10:00:00Z')`);
    await before.destroy();

    // Up to the migration under test, so that undoing the last one reverts exactly it.
    const after = await openDatabase({ url, serviceName: 'referral-migrations', migrations: [InitialSchema1763800000000, ReferralQueues1764300000000], poolSize: 2 });
    try {
      expect(await rows<{ correlation_id: string; discharge_cancelled_at: Date }>('SELECT correlation_id, discharge_cancelled_at FROM episodes')).toEqual([
        { correlation_id: 'enc:LGH:V9', discharge_cancelled_at: new Date('2026-11-01T10:00:00Z') },
      ]);
      await after.undoLastMigration({ transaction: 'each' });
      expect(await rows<{ correlation_id: string }>('SELECT correlation_id FROM cancelled_episodes')).toEqual([{ correlation_id: 'enc:LGH:V9' }]);
      expect(await rows<{ name: string }>(`SELECT to_regclass('referrals')::text AS name`)).toEqual([{ name: null }]);
    } finally {
      await after.destroy();
    }
  });
});

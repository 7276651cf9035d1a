import { openDatabase } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, newRunId } from '@sc/testing';
import { MIGRATIONS as ADT_INGEST } from '../../apps/adt-ingest/src/migrations';
import { MIGRATIONS as CARE_GAP } from '../../apps/care-gap/src/migrations';
import { MIGRATIONS as NOTIFIER } from '../../apps/notifier/src/migrations';
import { MIGRATIONS as PHARMACY_ALERT } from '../../apps/pharmacy-alert/src/migrations';
import { MIGRATIONS as REFERRAL } from '../../apps/referral/src/migrations';

/**
 * A plain (non-unique, non-partial, column-only) index whose columns lead another index of the same
 * table: every lookup it serves the other serves too, and each row written pays for both.
 */
const INDEXES_COVERED_BY_ANOTHER = `
  SELECT covered.indexrelid::regclass::text AS index, covering.indexrelid::regclass::text AS covered_by
  FROM pg_index covered
  JOIN pg_index covering ON covering.indrelid = covered.indrelid AND covering.indexrelid <> covered.indexrelid
  JOIN pg_class t ON t.oid = covered.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
  JOIN pg_class i ON i.oid = covered.indexrelid
  JOIN pg_class j ON j.oid = covering.indexrelid AND j.relam = i.relam
  WHERE NOT covered.indisunique AND covered.indpred IS NULL AND covered.indexprs IS NULL
    AND covering.indpred IS NULL AND covering.indexprs IS NULL
    AND (covering.indkey::text || ' ') LIKE (covered.indkey::text || ' %')
    AND (covering.indclass::text || ' ') LIKE (covered.indclass::text || ' %')
  ORDER BY 1`;

describe('service schemas', () => {
  const runId = newRunId();
  afterAll(() => dropRunDatabases(runId));

  it.each([
    ['adt-ingest', ADT_INGEST],
    ['pharmacy-alert', PHARMACY_ALERT],
    ['care-gap', CARE_GAP],
    ['referral', REFERRAL],
    ['notifier', NOTIFIER],
  ])('%s keeps no index that the leading columns of another index already cover', async (service, migrations) => {
    const database = await openDatabase({ url: databaseUrl(runId, `${service}-schema`), serviceName: `${service}-schema`, poolSize: 2, migrations });
    try {
      const tables: Array<{ count: number }> = await database.query(`SELECT count(*)::int AS count FROM pg_tables WHERE schemaname = 'public'`);
      expect(tables[0].count).toBeGreaterThan(3);
      expect(await database.query(INDEXES_COVERED_BY_ANOTHER)).toEqual([]);
    } finally {
      await database.destroy();
    }
  }, 60_000);
});

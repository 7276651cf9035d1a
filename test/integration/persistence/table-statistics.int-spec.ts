import { Client } from 'pg';
import { TableStatisticsKeeper, ensureDatabase } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, newRunId } from '@sc/testing';

describe(TableStatisticsKeeper.name, () => {
  const runId = newRunId();
  const url = databaseUrl(runId, 'statistics');
  let db: Client;
  const keepers: TableStatisticsKeeper[] = [];

  const keeper = (): TableStatisticsKeeper => {
    const created = new TableStatisticsKeeper({ databaseUrl: url, serviceName: `statistics-${runId}`, intervalMs: 60_000 });
    keepers.push(created);
    return created;
  };

  /** Makes this session's row counts visible to other sessions now rather than within a second. */
  const flushCounts = async (): Promise<void> => {
    await db.query('SELECT pg_stat_force_next_flush()');
    await db.query('SELECT 1');
  };

  /** The lookup of a run's 100 patients, as care-gap sends it. */
  const planOfRunLookup = async (): Promise<string> => {
    const subjects = Array.from({ length: 100 }, (_, index) => `pt-${index * 7}`);
    const { rows } = await db.query<{ 'QUERY PLAN': string }>('EXPLAIN SELECT * FROM gaps WHERE subject = ANY($1::text[])', [subjects]);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  };

  beforeAll(async () => {
    await ensureDatabase(url);
    db = new Client({ connectionString: url });
    await db.connect();
    await db.query('CREATE TABLE gaps (id bigserial PRIMARY KEY, subject text NOT NULL, detail text NOT NULL)');
    await db.query('CREATE INDEX gaps_subject_idx ON gaps (subject)');
    await db.query('CREATE TABLE rules (id int PRIMARY KEY)');
  });

  afterEach(async () => {
    await Promise.all(keepers.splice(0).map((created) => created.stop()));
  });

  afterAll(async () => {
    await db?.end();
    await dropRunDatabases(runId);
  });

  it("analyzes a young table that grew past the threshold, so a run's lookup uses its index instead of reading the table", async () => {
    await db.query(`INSERT INTO gaps (subject, detail) SELECT 'pt-' || n, repeat('x', 200) FROM generate_series(1, 20000) n`);
    await db.query('INSERT INTO rules SELECT generate_series(1, 10)');
    await flushCounts();
    expect(await planOfRunLookup()).toMatch(/^Seq Scan on gaps/);

    expect(await keeper().analyzeStale()).toEqual(['public.gaps']);

    expect(await planOfRunLookup()).toMatch(/Index Scan (using|on) gaps_subject_idx/);
  });

  it("takes a small sample, so analyzing a grown table costs a fraction of PostgreSQL's default analyze", async () => {
    await db.query('CREATE TABLE receipts (id bigserial PRIMARY KEY, raw text NOT NULL)');
    await db.query(`INSERT INTO receipts (raw) SELECT repeat(md5(n::text), 30) FROM generate_series(1, 20000) n`);
    await flushCounts();

    expect(await keeper().analyzeStale()).toContain('public.receipts');

    // A sample of 30,000 rows (the default target of 100) would give 101 bounds.
    const { rows } = await db.query<{ bounds: number }>(
      `SELECT array_length(histogram_bounds::text::text[], 1) AS bounds FROM pg_stats WHERE tablename = 'receipts' AND attname = 'id'`,
    );
    expect(rows[0].bounds).toBe(11);
  });

  it('analyzes again only once as many rows as the table had, and 500 more, changed since', async () => {
    const statistics = keeper();
    await statistics.analyzeStale();
    await db.query(`UPDATE gaps SET detail = 'y' WHERE id <= 15000`);
    await flushCounts();
    expect(await statistics.analyzeStale()).toEqual([]);
    await db.query(`UPDATE gaps SET detail = 'z' WHERE id <= 5600`);
    await flushCounts();
    expect(await statistics.analyzeStale()).toEqual(['public.gaps']);
  });

  it('leaves the work to the one instance that holds the database lock', async () => {
    const first = keeper();
    const second = keeper();
    await first.analyzeStale();
    await db.query(`INSERT INTO gaps (subject, detail) SELECT 'pt-more-' || n, 'x' FROM generate_series(1, 21000) n`);
    await flushCounts();
    expect(await second.analyzeStale()).toEqual([]);
    expect(await first.analyzeStale()).toEqual(['public.gaps']);
  });
});

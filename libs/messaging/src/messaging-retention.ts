import type { Client } from 'pg';

/** Rows deleted per statement, so one purge holds the relay from publishing for milliseconds, not seconds. */
const PURGE_BATCH = 5000;

/**
 * Deletes published outbox rows created longer than `retentionMs` ago, walking the table from its
 * oldest row in batches along the primary key and stopping at the first batch that holds a
 * younger row (nothing after it can be older). A row still queued for the relay is kept and
 * walked past. Returns the rows deleted.
 */
export async function purgePublishedOutbox(client: Client, retentionMs: number, keepGoing: () => boolean): Promise<number> {
  let purged = 0;
  let from = '0';
  while (keepGoing()) {
    const { rows } = await client.query<{ purged: number; scanned: number; last_seq: string | null; reached_young: boolean | null }>(
      `WITH batch AS (SELECT seq, created_at FROM outbox WHERE seq >= $1 ORDER BY seq LIMIT $2),
       purged AS (
         DELETE FROM outbox USING batch
         WHERE outbox.seq = batch.seq AND batch.created_at < now() - make_interval(secs => $3)
           AND NOT EXISTS (SELECT 1 FROM outbox_pending p WHERE p.seq = batch.seq)
         RETURNING 1)
       SELECT (SELECT count(*)::int FROM purged) AS purged, (SELECT count(*)::int FROM batch) AS scanned, (SELECT max(seq) FROM batch) AS last_seq,
              (SELECT bool_or(created_at >= now() - make_interval(secs => $3)) FROM batch) AS reached_young`,
      [from, PURGE_BATCH, retentionMs / 1000],
    );
    const [batch] = rows;
    purged += batch.purged;
    if (batch.scanned < PURGE_BATCH || batch.reached_young || batch.last_seq === null) {
      break;
    }
    from = (BigInt(batch.last_seq) + 1n).toString();
  }
  return purged;
}

/**
 * Deletes inbox rows past retention, a batch per transaction, found through the inbox's BRIN
 * index on processed_at (InboxRetentionIndex1765500000000). Returns the rows deleted.
 */
export async function purgeInbox(client: Client, retentionMs: number, keepGoing: () => boolean): Promise<number> {
  let purged = 0;
  for (let deleted = PURGE_BATCH; deleted === PURGE_BATCH && keepGoing(); ) {
    await client.query('BEGIN');
    try {
      // A BRIN index is read through a bitmap scan, which the relay's session otherwise avoids.
      await client.query('SET LOCAL enable_bitmapscan = on');
      const result = await client.query(
        `DELETE FROM inbox WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM inbox WHERE processed_at < now() - make_interval(secs => $1) LIMIT $2))`,
        [retentionMs / 1000, PURGE_BATCH],
      );
      await client.query('COMMIT');
      deleted = result.rowCount ?? 0;
      purged += deleted;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
  return purged;
}

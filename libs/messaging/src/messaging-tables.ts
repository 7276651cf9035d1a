import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * DDL of the outbox and inbox tables every service owns. Used by each service's first migration;
 * once released it is frozen: a change to these tables is a migration class here that every
 * service lists after its own first one.
 */
export const CREATE_MESSAGING_TABLES = `
CREATE TABLE outbox (
  seq bigserial PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  event_type text NOT NULL,
  topic text NOT NULL,
  message_key text NOT NULL,
  payload text NOT NULL,
  headers jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX outbox_unpublished_idx ON outbox (seq) WHERE published_at IS NULL;

-- One NOTIFY per inserting statement wakes the relay at commit; polling is only the fallback.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('outbox', '');
  RETURN NULL;
END $$;
CREATE TRIGGER outbox_notify_trigger AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

CREATE TABLE inbox (
  event_id uuid NOT NULL,
  consumer text NOT NULL,
  event_type text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, consumer)
);
`;

/**
 * Lets the relay delete inbox rows past retention without reading the whole inbox. BRIN, because
 * rows arrive in processed_at order and a B-tree would cost every claim one more index insert.
 */
export class InboxRetentionIndex1765500000000 implements MigrationInterface {
  name = 'InboxRetentionIndex1765500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE INDEX inbox_processed_at_brin ON inbox USING brin (processed_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX inbox_processed_at_brin');
  }
}

/**
 * Unpublished outbox rows are queued by sequence number in `outbox_pending`, and the relay marks a
 * row published by deleting its entry. Before, it set `outbox.published_at`; a column in the
 * unpublished index's predicate cannot change in place, so each mark wrote a second full copy of
 * the row, payload included, with new index entries: under a saturated ingest feed the marks were
 * 8% of PostgreSQL's statement time and a fifth of its WAL. Deleting a queue entry writes a few
 * bytes. Retention now counts from `created_at`, the only time left on the row.
 *
 * No foreign key ties the queue to the outbox: its check would cost every queued row a lookup. The
 * relay drops an entry whose row is gone.
 */
export class OutboxPendingQueue1765600000000 implements MigrationInterface {
  name = 'OutboxPendingQueue1765600000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE TABLE outbox_pending (seq bigint PRIMARY KEY)');
    await runner.query('INSERT INTO outbox_pending (seq) SELECT seq FROM outbox WHERE published_at IS NULL');
    await runner.query('DROP INDEX outbox_unpublished_idx');
    await runner.query('ALTER TABLE outbox DROP COLUMN published_at');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE outbox ADD COLUMN published_at timestamptz');
    await runner.query('UPDATE outbox SET published_at = created_at WHERE seq NOT IN (SELECT seq FROM outbox_pending)');
    await runner.query('CREATE INDEX outbox_unpublished_idx ON outbox (seq) WHERE published_at IS NULL');
    await runner.query('DROP TABLE outbox_pending');
  }
}

export const DROP_MESSAGING_TABLES = `
DROP TABLE inbox;
DROP TRIGGER outbox_notify_trigger ON outbox;
DROP FUNCTION outbox_notify();
DROP TABLE outbox;
`;

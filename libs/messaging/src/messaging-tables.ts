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

export const DROP_MESSAGING_TABLES = `
DROP TABLE inbox;
DROP TRIGGER outbox_notify_trigger ON outbox;
DROP FUNCTION outbox_notify();
DROP TABLE outbox;
`;

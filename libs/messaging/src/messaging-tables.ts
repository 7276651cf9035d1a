/**
 * DDL of the outbox and inbox tables every service owns. Used by each service's first migration;
 * once released it is frozen: a change to these tables needs a new migration in each service.
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

export const DROP_MESSAGING_TABLES = `
DROP TABLE inbox;
DROP TRIGGER outbox_notify_trigger ON outbox;
DROP FUNCTION outbox_notify();
DROP TABLE outbox;
`;

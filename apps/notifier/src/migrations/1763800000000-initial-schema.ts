import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CREATE_MESSAGING_TABLES, DROP_MESSAGING_TABLES } from '@sc/messaging';

export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(CREATE_MESSAGING_TABLES);
    await runner.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY,
        title text NOT NULL,
        urgency text NOT NULL,
        due_at timestamptz,
        link text NOT NULL,
        item_type text NOT NULL,
        item_id text NOT NULL,
        source_event_id uuid NOT NULL,
        correlation_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE deliveries (
        seq bigserial PRIMARY KEY,
        notification_id uuid NOT NULL REFERENCES notifications (id),
        channel text NOT NULL,
        recipient text NOT NULL,
        status text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        UNIQUE (notification_id, channel, recipient)
      );
      CREATE INDEX deliveries_stream_idx ON deliveries (recipient, channel, seq);
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE deliveries, notifications');
    await runner.query(DROP_MESSAGING_TABLES);
  }
}

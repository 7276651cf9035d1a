import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CREATE_MESSAGING_TABLES, DROP_MESSAGING_TABLES } from '@sc/messaging';

export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(CREATE_MESSAGING_TABLES);
    await runner.query(`
      -- Every accepted message, SSN masked; (sending facility, MSH-10) makes a resend recognisable.
      CREATE TABLE received_messages (
        id uuid PRIMARY KEY,
        sending_facility text NOT NULL,
        control_id text NOT NULL,
        trigger_event text NOT NULL,
        hl7_version text NOT NULL,
        processing_id text NOT NULL,
        content_hash text NOT NULL,
        raw_masked text,
        status text NOT NULL,
        ack_text text NOT NULL,
        subject text NOT NULL,
        correlation_id text NOT NULL,
        event_id uuid,
        channel text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (sending_facility, control_id)
      );
      CREATE INDEX received_messages_subject_idx ON received_messages (subject, received_at);
      CREATE INDEX received_messages_received_idx ON received_messages (received_at);

      -- Messages answered with a NAK, kept for search and replay after the sender's fix.
      CREATE TABLE rejects (
        id uuid PRIMARY KEY,
        sending_facility text,
        control_id text,
        error_code integer NOT NULL,
        error_segment text,
        error_field integer,
        diagnostic text NOT NULL,
        raw_masked text,
        content_hash text NOT NULL,
        status text NOT NULL DEFAULT 'open',
        channel text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX rejects_received_idx ON rejects (received_at);

      -- Encounter state keyed like the hospital keys it: sending facility + visit number (PV1-19).
      CREATE TABLE encounters (
        sending_facility text NOT NULL,
        visit_number text NOT NULL,
        subject text NOT NULL,
        state text NOT NULL,
        last_trigger text NOT NULL,
        last_clinical_time timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (sending_facility, visit_number)
      );
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE encounters, rejects, received_messages');
    await runner.query(DROP_MESSAGING_TABLES);
  }
}

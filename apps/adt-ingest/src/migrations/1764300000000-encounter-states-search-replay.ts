import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CREATE_AUDIT_LOG, DROP_AUDIT_LOG } from '@sc/security';

/** Encounter state machine, enhanced acknowledgments, operator search and replay, the audit log of operator reads. */
export class EncounterStatesSearchReplay1764300000000 implements MigrationInterface {
  name = 'EncounterStatesSearchReplay1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE received_messages
        ADD COLUMN ack_mode text NOT NULL DEFAULT 'original',
        ADD COLUMN application_ack_text text,
        ADD COLUMN state_outcome text,
        ADD COLUMN clinical_time timestamptz,
        -- Keyed hashes of the patient identifiers: searchable without storing them in clear.
        ADD COLUMN identifier_hashes text[] NOT NULL DEFAULT '{}',
        ADD COLUMN replay_of uuid,
        ALTER COLUMN ack_text DROP NOT NULL;
      CREATE INDEX received_messages_control_id_idx ON received_messages (control_id);
      CREATE INDEX received_messages_identifiers_idx ON received_messages USING gin (identifier_hashes);

      ALTER TABLE rejects
        ADD COLUMN ack_mode text NOT NULL DEFAULT 'original',
        ADD COLUMN nak_text text,
        ADD COLUMN replay_attempts integer NOT NULL DEFAULT 0,
        ADD COLUMN replayed_at timestamptz,
        ADD COLUMN replayed_message_id uuid,
        ADD COLUMN replay_of uuid;
      CREATE INDEX rejects_status_idx ON rejects (status, received_at);
      CREATE INDEX rejects_control_id_idx ON rejects (control_id);

      ALTER TABLE encounters RENAME COLUMN last_clinical_time TO state_at;
      ALTER TABLE encounters
        ALTER COLUMN state_at DROP NOT NULL,
        ADD COLUMN state_before_discharge text,
        ADD COLUMN admitted_at timestamptz,
        ADD COLUMN discharged_at timestamptz,
        ADD COLUMN transferred_at timestamptz,
        ADD COLUMN admission_event_id uuid,
        ADD COLUMN discharge_event_id uuid,
        ADD COLUMN transfer_event_id uuid,
        ADD COLUMN info_updated_at timestamptz,
        -- Cancels that arrived before the event they cancel (clinical time of the cancel).
        ADD COLUMN held_admission_cancel_at timestamptz,
        ADD COLUMN held_transfer_cancel_at timestamptz,
        ADD COLUMN held_discharge_cancel_at timestamptz;
      UPDATE encounters SET state = 'unknown' WHERE state = 'merged';
      CREATE INDEX encounters_subject_idx ON encounters (subject);

      -- A40: the patient reference merged away and the one that survives, so late messages follow the merge.
      CREATE TABLE patient_merges (
        prior_subject text PRIMARY KEY,
        surviving_subject text NOT NULL,
        merged_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX patient_merges_surviving_idx ON patient_merges (surviving_subject);
    `);
    await runner.query(CREATE_AUDIT_LOG);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(DROP_AUDIT_LOG);
    await runner.query(`
      DROP TABLE patient_merges;
      DROP INDEX encounters_subject_idx;
      ALTER TABLE encounters
        DROP COLUMN state_before_discharge, DROP COLUMN admitted_at, DROP COLUMN discharged_at, DROP COLUMN transferred_at,
        DROP COLUMN admission_event_id, DROP COLUMN discharge_event_id, DROP COLUMN transfer_event_id, DROP COLUMN info_updated_at,
        DROP COLUMN held_admission_cancel_at, DROP COLUMN held_transfer_cancel_at, DROP COLUMN held_discharge_cancel_at;
      UPDATE encounters SET state_at = updated_at WHERE state_at IS NULL;
      ALTER TABLE encounters ALTER COLUMN state_at SET NOT NULL;
      ALTER TABLE encounters RENAME COLUMN state_at TO last_clinical_time;
      DROP INDEX rejects_status_idx, rejects_control_id_idx;
      ALTER TABLE rejects DROP COLUMN ack_mode, DROP COLUMN nak_text, DROP COLUMN replay_attempts, DROP COLUMN replayed_at,
        DROP COLUMN replayed_message_id, DROP COLUMN replay_of;
      DROP INDEX received_messages_control_id_idx, received_messages_identifiers_idx;
      UPDATE received_messages SET ack_text = '' WHERE ack_text IS NULL;
      ALTER TABLE received_messages ALTER COLUMN ack_text SET NOT NULL;
      ALTER TABLE received_messages DROP COLUMN ack_mode, DROP COLUMN application_ack_text, DROP COLUMN state_outcome,
        DROP COLUMN clinical_time, DROP COLUMN identifier_hashes, DROP COLUMN replay_of;
    `);
  }
}

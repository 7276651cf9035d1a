import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CREATE_MESSAGING_TABLES, DROP_MESSAGING_TABLES } from '@sc/messaging';

export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(CREATE_MESSAGING_TABLES);
    await runner.query(`
      CREATE TABLE patients (
        id uuid PRIMARY KEY,
        pharmacy_patient_id text NOT NULL UNIQUE,
        family_name text NOT NULL,
        given_name text NOT NULL,
        birth_date date NOT NULL,
        sex text,
        preferred_language text,
        pharmacist_id text,
        team_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE patient_identifiers (
        patient_id uuid NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
        authority text NOT NULL,
        value text NOT NULL,
        type text NOT NULL,
        PRIMARY KEY (authority, value)
      );
      CREATE INDEX patient_identifiers_patient_idx ON patient_identifiers (patient_id);
      CREATE TABLE therapies (
        patient_id uuid NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
        drug_system text NOT NULL,
        drug_code text NOT NULL,
        drug_name text,
        condition_code text,
        PRIMARY KEY (patient_id, drug_system, drug_code)
      );
      CREATE TABLE tasks (
        id uuid PRIMARY KEY,
        patient_id uuid NOT NULL REFERENCES patients (id),
        kind text NOT NULL,
        status text NOT NULL,
        episode_key text NOT NULL,
        correlation_id text NOT NULL,
        priority text NOT NULL,
        discharged_at timestamptz NOT NULL,
        due_at timestamptz NOT NULL,
        assignee_id text,
        team_id text,
        source_event_id uuid NOT NULL,
        status_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (kind, episode_key)
      );
      CREATE INDEX tasks_worklist_idx ON tasks (assignee_id, status, due_at);
      CREATE TABLE unmatched_encounters (
        event_id uuid PRIMARY KEY,
        event_type text NOT NULL,
        sending_facility text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      );
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE unmatched_encounters, tasks, therapies, patient_identifiers, patients');
    await runner.query(DROP_MESSAGING_TABLES);
  }
}

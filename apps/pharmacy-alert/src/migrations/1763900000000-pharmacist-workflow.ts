import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Pharmacists, identity review, admissions and refill holds, escalation timers, the workflow and the shared timeline. */
export class PharmacistWorkflow1763900000000 implements MigrationInterface {
  name = 'PharmacistWorkflow1763900000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE pharmacists (
        id text PRIMARY KEY,
        team_id text NOT NULL,
        role text NOT NULL,
        languages text[] NOT NULL DEFAULT '{}',
        active boolean NOT NULL DEFAULT true,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX pharmacists_team_idx ON pharmacists (team_id, active);

      ALTER TABLE patients
        ADD COLUMN outreach_consent boolean NOT NULL DEFAULT true,
        ADD COLUMN contact_channels text[] NOT NULL DEFAULT '{phone}',
        ADD COLUMN enrolled boolean NOT NULL DEFAULT true;

      ALTER TABLE tasks
        ADD COLUMN subject text NOT NULL DEFAULT '',
        ADD COLUMN match_method text NOT NULL DEFAULT 'identifier',
        ADD COLUMN location text,
        ADD COLUMN acknowledged_at timestamptz,
        ADD COLUMN acknowledged_by text,
        ADD COLUMN completed_at timestamptz,
        ADD COLUMN completed_by text,
        ADD COLUMN outcome text;
      ALTER TABLE tasks ALTER COLUMN discharged_at DROP NOT NULL;
      CREATE INDEX tasks_patient_idx ON tasks (patient_id, status);

      CREATE TABLE identity_reviews (
        id uuid PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        event_type text NOT NULL,
        event jsonb NOT NULL,
        candidates jsonb NOT NULL,
        reason text NOT NULL,
        status text NOT NULL DEFAULT 'open',
        resolved_patient_id uuid REFERENCES patients (id),
        resolved_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz
      );

      CREATE TABLE refill_holds (
        id uuid PRIMARY KEY,
        patient_id uuid NOT NULL REFERENCES patients (id),
        episode_key text NOT NULL,
        status text NOT NULL,
        reason text NOT NULL,
        held_at timestamptz NOT NULL,
        released_at timestamptz,
        UNIQUE (patient_id, episode_key)
      );

      CREATE TABLE task_timers (
        task_id uuid NOT NULL REFERENCES tasks (id),
        step text NOT NULL,
        fire_at timestamptz NOT NULL,
        fired_at timestamptz,
        PRIMARY KEY (task_id, step)
      );
      CREATE INDEX task_timers_due_idx ON task_timers (fire_at) WHERE fired_at IS NULL;

      CREATE TABLE contact_attempts (
        id uuid PRIMARY KEY,
        task_id uuid NOT NULL REFERENCES tasks (id),
        outcome text NOT NULL,
        attempted_at timestamptz NOT NULL,
        actor_id text NOT NULL
      );

      CREATE TABLE medication_reconciliations (
        task_id uuid PRIMARY KEY REFERENCES tasks (id),
        home_medications jsonb NOT NULL,
        started_in_hospital jsonb NOT NULL,
        stopped jsonb NOT NULL,
        changed jsonb NOT NULL,
        discrepancies jsonb NOT NULL,
        actor_id text NOT NULL,
        reconciled_at timestamptz NOT NULL
      );

      CREATE TABLE need_flags (
        id uuid PRIMARY KEY,
        task_id uuid NOT NULL REFERENCES tasks (id),
        need text NOT NULL,
        code text,
        code_system text,
        actor_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (task_id, need, code)
      );

      -- What happened to a patient, from every team, in one place; entries are coded, never free text.
      CREATE TABLE timeline_entries (
        id bigserial PRIMARY KEY,
        patient_id uuid NOT NULL REFERENCES patients (id),
        occurred_at timestamptz NOT NULL,
        team text NOT NULL,
        kind text NOT NULL,
        actor_id text NOT NULL,
        summary text NOT NULL,
        item_id text,
        event_id uuid UNIQUE
      );
      CREATE INDEX timeline_patient_idx ON timeline_entries (patient_id, occurred_at);
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      DROP TABLE timeline_entries, need_flags, medication_reconciliations, contact_attempts, task_timers, refill_holds, identity_reviews, pharmacists;
      ALTER TABLE tasks DROP COLUMN subject, DROP COLUMN match_method, DROP COLUMN location, DROP COLUMN acknowledged_at, DROP COLUMN acknowledged_by,
        DROP COLUMN completed_at, DROP COLUMN completed_by, DROP COLUMN outcome;
      ALTER TABLE patients DROP COLUMN outreach_consent, DROP COLUMN contact_channels, DROP COLUMN enrolled;
    `);
  }
}

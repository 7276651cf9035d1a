import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Clinical context, versioned rules, consents and the gaps themselves. */
export class CareGapDetector1764300000000 implements MigrationInterface {
  name = 'CareGapDetector1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    // Conditions now also come from the context feed and the bulk API, which carry no event id.
    await runner.query(`
      ALTER TABLE patient_conditions ALTER COLUMN source_event_id DROP NOT NULL;
      ALTER TABLE patient_conditions
        ADD COLUMN status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'resolved')),
        ADD COLUMN source text NOT NULL DEFAULT 'discharge';

      CREATE TABLE patients (
        subject text PRIMARY KEY,
        plan_id text,
        deceased boolean NOT NULL DEFAULT false,
        at_facility boolean NOT NULL DEFAULT false,
        last_disposition text,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX patients_plan_idx ON patients (plan_id) WHERE plan_id IS NOT NULL;

      CREATE TABLE patient_devices (
        subject text NOT NULL,
        item_system text NOT NULL,
        item_code text NOT NULL,
        present boolean NOT NULL,
        flagged_by_pharmacist boolean NOT NULL DEFAULT false,
        source text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (subject, item_system, item_code)
      );

      CREATE TABLE plan_benefits (
        plan_id text NOT NULL,
        item_system text NOT NULL,
        item_code text NOT NULL,
        coverage text NOT NULL CHECK (coverage IN ('covered', 'not-covered', 'prior-authorization')),
        quantity_limit integer,
        quantity_period_days integer,
        benefit_rule_id text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (plan_id, item_system, item_code),
        CHECK ((quantity_limit IS NULL) = (quantity_period_days IS NULL))
      );

      CREATE TABLE consents (
        subject text NOT NULL,
        category text NOT NULL CHECK (category IN ('mental-health', 'substance-use', 'hiv')),
        granted boolean NOT NULL,
        actor_id text NOT NULL,
        reason text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (subject, category)
      );
      CREATE TABLE consent_history (
        id bigserial PRIMARY KEY,
        subject text NOT NULL,
        category text NOT NULL,
        granted boolean NOT NULL,
        actor_id text NOT NULL,
        reason text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      );

      -- Every version of every rule is kept: who changed what, when and why.
      CREATE TABLE care_gap_rules (
        rule_id text NOT NULL,
        version integer NOT NULL CHECK (version >= 1),
        enabled boolean NOT NULL,
        definition jsonb NOT NULL,
        actor_id text NOT NULL,
        reason text NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (rule_id, version)
      );

      CREATE TABLE pharmacy_tasks (
        task_id text PRIMARY KEY,
        subject text NOT NULL,
        team_id text
      );

      CREATE TABLE care_gaps (
        id uuid PRIMARY KEY,
        subject text NOT NULL,
        gap_type text NOT NULL,
        rule_id text NOT NULL,
        rule_version integer NOT NULL,
        rule_trigger text NOT NULL,
        severity text NOT NULL,
        item_system text NOT NULL,
        item_code text NOT NULL,
        item_display text NOT NULL,
        home_item boolean NOT NULL,
        recommended_action text NOT NULL,
        notification_title text NOT NULL,
        coverage jsonb NOT NULL,
        explanation jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'coverage-verified', 'ordered', 'delivered', 'closed', 'dismissed')),
        team_id text,
        source_task_id text,
        correlation_id text NOT NULL,
        opened_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz,
        close_reason text
      );
      -- One open gap per patient and type, however often a trigger repeats.
      CREATE UNIQUE INDEX care_gaps_one_open_per_type ON care_gaps (subject, gap_type) WHERE status NOT IN ('closed', 'dismissed');
      CREATE INDEX care_gaps_team_idx ON care_gaps (team_id, status, opened_at);
      CREATE INDEX care_gaps_subject_idx ON care_gaps (subject, opened_at);

      CREATE TABLE care_gap_transitions (
        id bigserial PRIMARY KEY,
        gap_id uuid NOT NULL REFERENCES care_gaps (id),
        from_status text,
        to_status text NOT NULL,
        actor_id text NOT NULL,
        reason text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX care_gap_transitions_gap_idx ON care_gap_transitions (gap_id, id);
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      DROP TABLE care_gap_transitions;
      DROP TABLE care_gaps;
      DROP TABLE pharmacy_tasks;
      DROP TABLE care_gap_rules;
      DROP TABLE consent_history;
      DROP TABLE consents;
      DROP TABLE plan_benefits;
      DROP TABLE patient_devices;
      DROP TABLE patients;
      ALTER TABLE patient_conditions DROP COLUMN status, DROP COLUMN source;
    `);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Referrals, their queues, leases, history and SLA timers; the nurses who work them; and what this
 * service keeps from others' events for briefings and cancellations (episodes, patients,
 * medication reconciliations, pharmacist follow-ups). Cancelled discharges move into `episodes`.
 */
export class ReferralQueues1764300000000 implements MigrationInterface {
  name = 'ReferralQueues1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE episodes (
        correlation_id text PRIMARY KEY,
        -- null only for episodes carried over from cancelled_episodes, which did not keep it
        subject text,
        facility text,
        patient_class text,
        admitted_at timestamptz,
        discharged_at timestamptz,
        disposition text,
        diagnoses jsonb NOT NULL DEFAULT '[]'::jsonb,
        discharge_cancelled_at timestamptz,
        admission_cancelled_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX episodes_subject_idx ON episodes (subject);
      INSERT INTO episodes (correlation_id, discharge_cancelled_at)
        SELECT correlation_id, cancelled_at FROM cancelled_episodes;
      DROP TABLE cancelled_episodes;

      CREATE TABLE patients (
        subject text PRIMARY KEY,
        language text,
        deceased_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE medication_reconciliations (
        task_id text PRIMARY KEY,
        subject text NOT NULL,
        correlation_id text NOT NULL,
        home_medications jsonb NOT NULL,
        started_in_hospital jsonb NOT NULL,
        stopped jsonb NOT NULL,
        changed jsonb NOT NULL,
        discrepancies jsonb NOT NULL,
        reconciled_at timestamptz NOT NULL
      );
      CREATE INDEX medication_reconciliations_subject_idx ON medication_reconciliations (subject, reconciled_at DESC);

      CREATE TABLE pharmacist_follow_ups (
        task_id text PRIMARY KEY,
        subject text NOT NULL,
        correlation_id text NOT NULL,
        outcome text NOT NULL,
        completed_at timestamptz NOT NULL,
        within_window boolean NOT NULL
      );
      CREATE INDEX pharmacist_follow_ups_subject_idx ON pharmacist_follow_ups (subject, completed_at DESC);

      CREATE TABLE nurses (
        id text PRIMARY KEY,
        team_id text NOT NULL,
        role text NOT NULL CHECK (role IN ('nurse', 'supervisor')),
        skills text[] NOT NULL DEFAULT '{}',
        languages text[] NOT NULL DEFAULT '{}',
        active boolean NOT NULL DEFAULT true,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX nurses_team_idx ON nurses (team_id, role) WHERE active;

      CREATE TABLE referrals (
        id uuid PRIMARY KEY,
        type text NOT NULL,
        status text NOT NULL CHECK (status IN ('new', 'claimed', 'in-progress', 'scheduled', 'ordered', 'completed', 'declined', 'cancelled')),
        source_kind text NOT NULL,
        source_id text NOT NULL,
        -- one referral per source: a care gap, a pharmacist's need flag, or a discharge rule of one discharge
        source_key text NOT NULL UNIQUE,
        source_event_id uuid NOT NULL,
        subject text NOT NULL,
        correlation_id text NOT NULL,
        team_id text NOT NULL,
        skill text NOT NULL,
        queue_id text NOT NULL,
        language text,
        priority text NOT NULL CHECK (priority IN ('urgent', 'high', 'routine')),
        priority_rank smallint GENERATED ALWAYS AS (CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 ELSE 2 END) STORED,
        due_at timestamptz NOT NULL,
        item_system text,
        item_code text,
        claimed_by text,
        claimed_at timestamptz,
        lease_expires_at timestamptz,
        scheduled_for timestamptz,
        order_reference text,
        status_reason text,
        escalated_at timestamptz,
        breached_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((status IN ('claimed', 'in-progress')) = (lease_expires_at IS NOT NULL))
      );
      -- The claim path: the next referral of some queues by priority and due time.
      CREATE INDEX referrals_claimable_idx ON referrals (queue_id, priority_rank, due_at, created_at)
        WHERE status IN ('new', 'claimed', 'in-progress');
      CREATE INDEX referrals_open_episode_idx ON referrals (correlation_id)
        WHERE status IN ('new', 'claimed', 'in-progress', 'scheduled', 'ordered');
      CREATE INDEX referrals_open_subject_idx ON referrals (subject)
        WHERE status IN ('new', 'claimed', 'in-progress', 'scheduled', 'ordered');
      CREATE INDEX referrals_expiring_leases_idx ON referrals (lease_expires_at) WHERE lease_expires_at IS NOT NULL;
      CREATE INDEX referrals_claimed_by_idx ON referrals (claimed_by) WHERE claimed_by IS NOT NULL;

      CREATE TABLE referral_history (
        id bigserial PRIMARY KEY,
        referral_id uuid NOT NULL REFERENCES referrals (id),
        action text NOT NULL,
        from_status text,
        to_status text NOT NULL,
        actor_id text NOT NULL,
        claimed_by text,
        reason text NOT NULL,
        -- free text a nurse typed: shown in the API to those working the referral, never on events or in logs
        note text,
        occurred_at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      CREATE INDEX referral_history_referral_idx ON referral_history (referral_id, id);

      CREATE TABLE referral_timers (
        referral_id uuid NOT NULL REFERENCES referrals (id),
        step text NOT NULL,
        fire_at timestamptz NOT NULL,
        fired_at timestamptz,
        PRIMARY KEY (referral_id, step)
      );
      CREATE INDEX referral_timers_due_idx ON referral_timers (fire_at) WHERE fired_at IS NULL;

      CREATE TABLE briefings (
        referral_id uuid PRIMARY KEY REFERENCES referrals (id),
        packet jsonb NOT NULL,
        specialist_id text NOT NULL,
        sent_by text NOT NULL,
        sent_at timestamptz NOT NULL,
        acknowledged_by text,
        acknowledged_at timestamptz
      );
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      DROP TABLE briefings;
      DROP TABLE referral_timers;
      DROP TABLE referral_history;
      DROP TABLE referrals;
      DROP TABLE nurses;
      DROP TABLE pharmacist_follow_ups;
      DROP TABLE medication_reconciliations;
      DROP TABLE patients;
      CREATE TABLE cancelled_episodes (
        correlation_id text PRIMARY KEY,
        source_event_id uuid NOT NULL,
        cancelled_at timestamptz NOT NULL
      );
      -- the cancelling event's id was not kept; a fresh id only satisfies the old NOT NULL
      INSERT INTO cancelled_episodes (correlation_id, source_event_id, cancelled_at)
        SELECT correlation_id, gen_random_uuid(), discharge_cancelled_at FROM episodes WHERE discharge_cancelled_at IS NOT NULL;
      DROP TABLE episodes;
    `);
  }
}

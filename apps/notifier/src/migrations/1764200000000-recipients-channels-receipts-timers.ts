import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Recipients, teams and preferences; webhook endpoints with their circuit state; the webhook and
 * email delivery queue on `deliveries`; read/acknowledged receipts; escalation timers. Notification
 * ids become text: the contract's id is any stable string (care-gap derives `care-gap-opened-<id>`).
 */
export class RecipientsChannelsReceiptsTimers1764200000000 implements MigrationInterface {
  name = 'RecipientsChannelsReceiptsTimers1764200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE deliveries DROP CONSTRAINT deliveries_notification_id_fkey;
      ALTER TABLE notifications ALTER COLUMN id TYPE text;
      ALTER TABLE deliveries ALTER COLUMN notification_id TYPE text,
        ADD CONSTRAINT deliveries_notification_id_fkey FOREIGN KEY (notification_id) REFERENCES notifications (id);

      CREATE TABLE recipients (
        id text PRIMARY KEY,
        display_name text,
        roles text[] NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE team_members (
        team_id text NOT NULL,
        recipient_id text NOT NULL REFERENCES recipients (id) ON DELETE CASCADE,
        PRIMARY KEY (team_id, recipient_id)
      );
      CREATE INDEX team_members_recipient_idx ON team_members (recipient_id);
      CREATE TABLE recipient_preferences (
        recipient_id text PRIMARY KEY REFERENCES recipients (id) ON DELETE CASCADE,
        channels text[] NOT NULL,
        email text,
        quiet_start time,
        quiet_end time,
        quiet_time_zone text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((quiet_start IS NULL) = (quiet_end IS NULL) AND (quiet_start IS NULL) = (quiet_time_zone IS NULL))
      );
      CREATE TABLE webhook_endpoints (
        recipient_id text PRIMARY KEY REFERENCES recipients (id) ON DELETE CASCADE,
        url text NOT NULL,
        secret text NOT NULL,
        consecutive_failures integer NOT NULL DEFAULT 0,
        open_until timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      ALTER TABLE notifications
        ADD COLUMN subject text,
        ADD COLUMN recipient_id text,
        ADD COLUMN team_id text,
        ADD COLUMN escalation_of text REFERENCES notifications (id),
        ADD COLUMN escalate_after_seconds integer,
        ADD COLUMN escalation_recipient_id text,
        ADD COLUMN escalate_to_team_lead boolean NOT NULL DEFAULT false;
      CREATE INDEX notifications_escalation_of_idx ON notifications (escalation_of) WHERE escalation_of IS NOT NULL;

      -- Webhook and email deliveries are a durable queue: due when next_attempt_at has passed;
      -- a claim pushes next_attempt_at out by the lease, so a send that dies mid-way is retried.
      ALTER TABLE deliveries
        ADD COLUMN next_attempt_at timestamptz,
        ADD COLUMN deferred_until timestamptz,
        ADD COLUMN last_error text,
        ADD COLUMN failed_at timestamptz;
      CREATE INDEX deliveries_outbound_due_idx ON deliveries (next_attempt_at, seq) WHERE status = 'pending' AND channel <> 'sse';
      CREATE INDEX deliveries_notification_idx ON deliveries (notification_id);

      CREATE TABLE receipts (
        notification_id text NOT NULL REFERENCES notifications (id),
        recipient_id text NOT NULL,
        read_at timestamptz NOT NULL,
        acknowledged_at timestamptz,
        PRIMARY KEY (notification_id, recipient_id)
      );

      CREATE TABLE timers (
        id bigserial PRIMARY KEY,
        kind text NOT NULL,
        notification_id text NOT NULL REFERENCES notifications (id),
        due_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'scheduled',
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        settled_at timestamptz,
        UNIQUE (kind, notification_id)
      );
      CREATE INDEX timers_due_idx ON timers (due_at) WHERE status = 'scheduled';
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      DROP TABLE timers, receipts, webhook_endpoints, recipient_preferences, team_members, recipients;
      DROP INDEX deliveries_outbound_due_idx, deliveries_notification_idx, notifications_escalation_of_idx;
      ALTER TABLE deliveries DROP COLUMN next_attempt_at, DROP COLUMN deferred_until, DROP COLUMN last_error, DROP COLUMN failed_at;
      ALTER TABLE notifications DROP COLUMN subject, DROP COLUMN recipient_id, DROP COLUMN team_id, DROP COLUMN escalation_of,
        DROP COLUMN escalate_after_seconds, DROP COLUMN escalation_recipient_id, DROP COLUMN escalate_to_team_lead;
      ALTER TABLE deliveries DROP CONSTRAINT deliveries_notification_id_fkey;
      ALTER TABLE notifications ALTER COLUMN id TYPE uuid USING id::uuid;
      ALTER TABLE deliveries ALTER COLUMN notification_id TYPE uuid USING notification_id::uuid,
        ADD CONSTRAINT deliveries_notification_id_fkey FOREIGN KEY (notification_id) REFERENCES notifications (id);
    `);
  }
}

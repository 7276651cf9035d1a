import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * For the delivery metrics. `requested_at` is when the notification was asked for (the
 * requesting service's `recordedAt`; an escalation's firing), so delivery latency includes the
 * trip through Kafka, not only the notifier's own part; rows from before stay NULL and fall back
 * to `created_at`. The partial index lets the scrape-time backlog gauge count undelivered rows
 * from the index alone, however many delivered rows the table holds.
 */
export class DeliveryMetrics1765400000000 implements MigrationInterface {
  name = 'DeliveryMetrics1765400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE notifications ADD COLUMN requested_at timestamptz;
      CREATE INDEX deliveries_unsettled_idx ON deliveries (channel, status, deferred_until) WHERE status <> 'delivered';
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      DROP INDEX deliveries_unsettled_idx;
      ALTER TABLE notifications DROP COLUMN requested_at;
    `);
  }
}

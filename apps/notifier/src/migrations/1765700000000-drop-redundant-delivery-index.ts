import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `deliveries_notification_idx` (notification_id) repeats the leading column of the unique key
 * (notification_id, channel, recipient), which answers every lookup by notification as well. The
 * copy cost one more index entry for every delivery written: under a saturated ingest feed the
 * notifier writes one delivery per nurse-team notification.
 */
export class DropRedundantDeliveryIndex1765700000000 implements MigrationInterface {
  name = 'DropRedundantDeliveryIndex1765700000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX deliveries_notification_idx');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE INDEX deliveries_notification_idx ON deliveries (notification_id)');
  }
}

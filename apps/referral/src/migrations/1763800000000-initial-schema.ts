import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CREATE_MESSAGING_TABLES, DROP_MESSAGING_TABLES } from '@sc/messaging';

export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(CREATE_MESSAGING_TABLES);
    // Episodes whose discharge was cancelled (A13): referrals of such an episode must not be worked.
    await runner.query(`
      CREATE TABLE cancelled_episodes (
        correlation_id text PRIMARY KEY,
        source_event_id uuid NOT NULL,
        cancelled_at timestamptz NOT NULL
      );
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE cancelled_episodes');
    await runner.query(DROP_MESSAGING_TABLES);
  }
}

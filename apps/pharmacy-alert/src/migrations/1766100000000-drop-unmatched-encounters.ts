import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Unattributed encounter events are counted by a metric (sc_pharmacy_unattributed_events_total), not stored. */
export class DropUnmatchedEncounters1766100000000 implements MigrationInterface {
  name = 'DropUnmatchedEncounters1766100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE unmatched_encounters');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE unmatched_encounters (
        event_id uuid PRIMARY KEY,
        event_type text NOT NULL,
        sending_facility text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )
    `);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per discharge of a rostered patient, with the facility and team it counts for in the
 * quality report: a discharge that creates no task (the patient expired) still counts as received.
 */
export class DischargesReceived1766400000000 implements MigrationInterface {
  name = 'DischargesReceived1766400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE discharges (
        episode_key text PRIMARY KEY,
        patient_id uuid NOT NULL REFERENCES patients (id),
        team_id text,
        facility text NOT NULL,
        discharged_at timestamptz NOT NULL,
        outcome text NOT NULL,
        task_id uuid REFERENCES tasks (id)
      );
      CREATE INDEX discharges_period_idx ON discharges (facility, discharged_at);
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE discharges');
  }
}

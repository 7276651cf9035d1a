import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each discharge task's regulatory clocks (the 24-hour follow-up, TCM and HEDIS windows) with the
 * time and evidence that met each, and escalation timers per clock, so the ladder can run against
 * any of them. Timers from before keep the clock they ran against, the 24-hour follow-up.
 */
export class RegulatoryClocks1766300000000 implements MigrationInterface {
  name = 'RegulatoryClocks1766300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE task_clocks (
        task_id uuid NOT NULL REFERENCES tasks (id),
        clock text NOT NULL,
        due_at timestamptz NOT NULL,
        met_at timestamptz,
        met_by text,
        PRIMARY KEY (task_id, clock)
      );

      ALTER TABLE task_timers ADD COLUMN clock text NOT NULL DEFAULT 'follow-up-24h';
      ALTER TABLE task_timers DROP CONSTRAINT task_timers_pkey, ADD PRIMARY KEY (task_id, clock, step);
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      DELETE FROM task_timers WHERE clock <> 'follow-up-24h';
      ALTER TABLE task_timers DROP CONSTRAINT task_timers_pkey, ADD PRIMARY KEY (task_id, step);
      ALTER TABLE task_timers DROP COLUMN clock;
      DROP TABLE task_clocks;
    `);
  }
}

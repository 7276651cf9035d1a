import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CREATE_MESSAGING_TABLES, DROP_MESSAGING_TABLES } from '@sc/messaging';

export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(CREATE_MESSAGING_TABLES);
    // Clinical context as this service learns it from discharges: the conditions rules will read.
    await runner.query(`
      CREATE TABLE patient_conditions (
        subject text NOT NULL,
        code text NOT NULL,
        coding_system text,
        source_event_id uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (subject, code)
      );
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE patient_conditions');
    await runner.query(DROP_MESSAGING_TABLES);
  }
}

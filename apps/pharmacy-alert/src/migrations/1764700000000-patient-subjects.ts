import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Which roster patient each pseudonymous subject is, learned when encounters match, so other teams' events reach the timeline. */
export class PatientSubjects1764700000000 implements MigrationInterface {
  name = 'PatientSubjects1764700000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE patient_subjects (
        subject text PRIMARY KEY,
        patient_id uuid NOT NULL REFERENCES patients (id),
        learned_at timestamptz NOT NULL DEFAULT now()
      );
      INSERT INTO patient_subjects (subject, patient_id)
        SELECT DISTINCT ON (subject) subject, patient_id FROM tasks WHERE subject <> '' ORDER BY subject, created_at DESC
        ON CONFLICT DO NOTHING;
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE patient_subjects');
  }
}

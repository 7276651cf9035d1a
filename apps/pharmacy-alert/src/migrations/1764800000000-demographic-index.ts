import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Demographic matching looks patients up by birth date and name; without this it scans the roster. */
export class DemographicIndex1764800000000 implements MigrationInterface {
  name = 'DemographicIndex1764800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE INDEX patients_demographics_idx ON patients (birth_date, upper(family_name))');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX patients_demographics_idx');
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';
import { rewriteStoredLanguages } from '@sc/language';

/** Languages stored before they were normalised rewritten as canonical codes, so routing compares like with like for existing rows too. */
export class CanonicalLanguages1766500000000 implements MigrationInterface {
  name = 'CanonicalLanguages1766500000000';

  async up(runner: QueryRunner): Promise<void> {
    await rewriteStoredLanguages((sql, parameters) => runner.query(sql, parameters), { single: [['patients', 'preferred_language']], lists: [['pharmacists', 'languages']] });
  }

  async down(): Promise<void> {
    // The forms rows were stored in are not kept; canonical codes are valid input either way.
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';
import { languageCode, languageCodes } from '@sc/language';

/**
 * Languages stored before they were normalised where they enter (`spa`, `SPA^Spanish^ISO639`)
 * rewritten as their canonical code, so routing compares like with like for existing rows too.
 */
export class CanonicalLanguages1766500000000 implements MigrationInterface {
  name = 'CanonicalLanguages1766500000000';

  async up(runner: QueryRunner): Promise<void> {
    const stored: Array<{ value: string }> = await runner.query('SELECT DISTINCT preferred_language AS value FROM patients WHERE preferred_language IS NOT NULL');
    for (const { value } of stored) {
      const code = languageCode(value);
      if (code !== value) {
        await runner.query('UPDATE patients SET preferred_language = $2 WHERE preferred_language = $1', [value, code]);
      }
    }
    const pharmacists: Array<{ id: string; languages: string[] }> = await runner.query('SELECT id, languages FROM pharmacists');
    for (const { id, languages } of pharmacists) {
      const codes = languageCodes(languages).map((language) => language.code);
      if (codes.join() !== languages.join()) {
        await runner.query('UPDATE pharmacists SET languages = $2 WHERE id = $1', [id, codes]);
      }
    }
  }

  async down(): Promise<void> {
    // The forms rows were stored in are not kept; canonical codes are valid input either way.
  }
}

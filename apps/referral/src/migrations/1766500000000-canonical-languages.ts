import type { MigrationInterface, QueryRunner } from 'typeorm';
import { languageCode, languageCodes } from '@sc/language';

/**
 * Languages stored before they were normalised where they enter (`spa`, `Spanish`) rewritten as
 * their canonical code: the patients' and open referrals' languages and the nurses' profiles, so
 * the language hold matches nurses to referrals for existing rows too.
 */
export class CanonicalLanguages1766500000000 implements MigrationInterface {
  name = 'CanonicalLanguages1766500000000';

  async up(runner: QueryRunner): Promise<void> {
    for (const table of ['patients', 'referrals']) {
      const stored: Array<{ value: string }> = await runner.query(`SELECT DISTINCT language AS value FROM ${table} WHERE language IS NOT NULL`);
      for (const { value } of stored) {
        const code = languageCode(value);
        if (code !== value) {
          await runner.query(`UPDATE ${table} SET language = $2 WHERE language = $1`, [value, code]);
        }
      }
    }
    const nurses: Array<{ id: string; languages: string[] }> = await runner.query('SELECT id, languages FROM nurses');
    for (const { id, languages } of nurses) {
      const codes = languageCodes(languages).map((language) => language.code);
      if (codes.join() !== languages.join()) {
        await runner.query('UPDATE nurses SET languages = $2 WHERE id = $1', [id, codes]);
      }
    }
  }

  async down(): Promise<void> {
    // The forms rows were stored in are not kept; canonical codes are valid input either way.
  }
}

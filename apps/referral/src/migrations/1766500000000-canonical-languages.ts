import type { MigrationInterface, QueryRunner } from 'typeorm';
import { rewriteStoredLanguages } from '@sc/language';

/**
 * Languages stored before they were normalised rewritten as canonical codes (patients, open
 * referrals, nurses' profiles), so the language hold matches nurses to referrals for existing rows too.
 */
export class CanonicalLanguages1766500000000 implements MigrationInterface {
  name = 'CanonicalLanguages1766500000000';

  async up(runner: QueryRunner): Promise<void> {
    await rewriteStoredLanguages((sql, parameters) => runner.query(sql, parameters), {
      single: [
        ['patients', 'language'],
        ['referrals', 'language'],
      ],
      lists: [['nurses', 'languages']],
    });
  }

  async down(): Promise<void> {
    // The forms rows were stored in are not kept; canonical codes are valid input either way.
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A batch first inserts each new encounter as a small placeholder row (its lock against a
 * concurrent batch) and then, in the same transaction, updates it with the state. The placeholders
 * of a batch fill a heap page together, so at the default fill factor 4 in 10 of those updates
 * found no room beside their row: each then wrote the new version on another page with a tuple
 * lock and two new index entries. Filled to 30% by inserts, a page keeps room for its rows'
 * updates, and every one is a heap-only update (measured with pg_waldump under the ingest
 * benchmark). The updated rows fill the page, so the table grows no larger.
 */
export class EncounterUpdateRoom1765800000000 implements MigrationInterface {
  name = 'EncounterUpdateRoom1765800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE encounters SET (fillfactor = 30)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE encounters RESET (fillfactor)');
  }
}

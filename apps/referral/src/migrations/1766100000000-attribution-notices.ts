import type { MigrationInterface, QueryRunner } from 'typeorm';

const TABLES = ['referrals', 'episodes', 'patients', 'medication_reconciliations', 'pharmacist_follow_ups'];

/**
 * Tells every instance's attribution index (LISTEN referral_attribution) of a subject referral
 * now holds something for, in the transaction that wrote it. Only a new subject notifies (an
 * insert, or a merge moving rows), so an upsert of a known patient costs a trigger call and no notice.
 */
export class AttributionNotices1766100000000 implements MigrationInterface {
  name = 'AttributionNotices1766100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE FUNCTION referral_notify_subject() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.subject IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.subject IS DISTINCT FROM NEW.subject) THEN
          PERFORM pg_notify('referral_attribution', NEW.subject);
        END IF;
        RETURN NULL;
      END $$;
      ${TABLES.map((table) => `CREATE TRIGGER ${table}_attribution AFTER INSERT OR UPDATE OF subject ON ${table} FOR EACH ROW EXECUTE FUNCTION referral_notify_subject();`).join('\n')}
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ${TABLES.map((table) => `DROP TRIGGER ${table}_attribution ON ${table};`).join('\n')}
      DROP FUNCTION referral_notify_subject();
    `);
  }
}

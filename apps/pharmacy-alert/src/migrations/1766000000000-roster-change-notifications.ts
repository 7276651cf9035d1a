import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every instance's attribution index (AttributionIndex) learns of roster changes, whichever
 * instance or process made them, from these notifications: the id of the patient whose row was
 * added or changed. A transaction's identical notifications are delivered once, at commit.
 * Deletions need none: the index only drops keys on a full load.
 */
export class RosterChangeNotifications1766000000000 implements MigrationInterface {
  name = 'RosterChangeNotifications1766000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE FUNCTION notify_roster_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('pharmacy_alert_roster', to_jsonb(NEW) ->> TG_ARGV[0]);
        RETURN NULL;
      END $$;
      CREATE TRIGGER patients_notify_roster_change AFTER INSERT OR UPDATE ON patients
        FOR EACH ROW EXECUTE FUNCTION notify_roster_change('id');
      CREATE TRIGGER patient_identifiers_notify_roster_change AFTER INSERT OR UPDATE ON patient_identifiers
        FOR EACH ROW EXECUTE FUNCTION notify_roster_change('patient_id');
      -- A subject's key does not depend on its patient, so only a new subject is news.
      CREATE TRIGGER patient_subjects_notify_roster_change AFTER INSERT ON patient_subjects
        FOR EACH ROW EXECUTE FUNCTION notify_roster_change('patient_id');
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      DROP TRIGGER patient_subjects_notify_roster_change ON patient_subjects;
      DROP TRIGGER patient_identifiers_notify_roster_change ON patient_identifiers;
      DROP TRIGGER patients_notify_roster_change ON patients;
      DROP FUNCTION notify_roster_change();
    `);
  }
}

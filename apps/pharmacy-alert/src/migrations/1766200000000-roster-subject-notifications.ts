import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A newly linked subject is notified as its attribution key, `subject:<subject>`, which every
 * instance's index takes as it comes, instead of as its patient's id, which had every instance
 * read that patient's roster entry for each new subject.
 */
export class RosterSubjectNotifications1766200000000 implements MigrationInterface {
  name = 'RosterSubjectNotifications1766200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE FUNCTION notify_roster_subject() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('pharmacy_alert_roster', 'subject:' || NEW.subject);
        RETURN NULL;
      END $$;
      DROP TRIGGER patient_subjects_notify_roster_change ON patient_subjects;
      CREATE TRIGGER patient_subjects_notify_roster_change AFTER INSERT ON patient_subjects
        FOR EACH ROW EXECUTE FUNCTION notify_roster_subject();
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      DROP TRIGGER patient_subjects_notify_roster_change ON patient_subjects;
      CREATE TRIGGER patient_subjects_notify_roster_change AFTER INSERT ON patient_subjects
        FOR EACH ROW EXECUTE FUNCTION notify_roster_change('patient_id');
      DROP FUNCTION notify_roster_subject();
    `);
  }
}

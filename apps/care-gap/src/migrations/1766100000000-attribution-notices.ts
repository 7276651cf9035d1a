import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tells every instance's attribution index (LISTEN care_gap_attribution) who became attributed, in
 * the transaction that made it so: a patient whose context names a plan, a plan whose benefits are
 * loaded, a patient the pharmacy works with (a task, a flag) or who has a gap. Only changes notify,
 * so a repeated discharge costs a trigger call and no notice.
 */
export class AttributionNotices1766100000000 implements MigrationInterface {
  name = 'AttributionNotices1766100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE FUNCTION care_gap_notify_subject() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' OR OLD.subject IS DISTINCT FROM NEW.subject THEN
          PERFORM pg_notify('care_gap_attribution', json_build_object('subject', NEW.subject)::text);
        END IF;
        RETURN NULL;
      END $$;

      CREATE FUNCTION care_gap_notify_patient_plan() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.plan_id IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.plan_id IS DISTINCT FROM NEW.plan_id) THEN
          PERFORM pg_notify('care_gap_attribution', json_build_object('subject', NEW.subject, 'plan', NEW.plan_id)::text);
        END IF;
        RETURN NULL;
      END $$;

      CREATE FUNCTION care_gap_notify_benefit_plan() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('care_gap_attribution', json_build_object('plan', NEW.plan_id)::text);
        RETURN NULL;
      END $$;

      CREATE TRIGGER patients_attribution AFTER INSERT OR UPDATE OF plan_id ON patients
        FOR EACH ROW EXECUTE FUNCTION care_gap_notify_patient_plan();
      CREATE TRIGGER plan_benefits_attribution AFTER INSERT ON plan_benefits
        FOR EACH ROW EXECUTE FUNCTION care_gap_notify_benefit_plan();
      CREATE TRIGGER pharmacy_tasks_attribution AFTER INSERT OR UPDATE OF subject ON pharmacy_tasks
        FOR EACH ROW EXECUTE FUNCTION care_gap_notify_subject();
      CREATE TRIGGER care_gaps_attribution AFTER INSERT ON care_gaps
        FOR EACH ROW EXECUTE FUNCTION care_gap_notify_subject();
      -- A pharmacist's flag: the patient is rostered.
      CREATE TRIGGER patient_devices_attribution AFTER INSERT OR UPDATE OF flagged_by_pharmacist ON patient_devices
        FOR EACH ROW WHEN (NEW.flagged_by_pharmacist) EXECUTE FUNCTION care_gap_notify_subject();
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      DROP TRIGGER patient_devices_attribution ON patient_devices;
      DROP TRIGGER care_gaps_attribution ON care_gaps;
      DROP TRIGGER pharmacy_tasks_attribution ON pharmacy_tasks;
      DROP TRIGGER plan_benefits_attribution ON plan_benefits;
      DROP TRIGGER patients_attribution ON patients;
      DROP FUNCTION care_gap_notify_benefit_plan();
      DROP FUNCTION care_gap_notify_patient_plan();
      DROP FUNCTION care_gap_notify_subject();
    `);
  }
}

import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CareGapItem, PlanBenefit } from '@sc/contracts';
import { preparedQuery } from '@sc/persistence';
import type { ConditionCodeSet } from '../rules/code-sets';
import { itemKey, type PatientContext } from '../gaps/gap-plan';
import type { SensitiveCategory } from '../gaps/sensitive-categories';
import type { ConsentView } from './context.dto';

export interface PatientRow {
  subject: string;
  planId: string | null;
  deceased: boolean;
  atFacility: boolean;
}

export interface ConditionChange {
  code: string;
  codingSystem: string | null;
  status: 'active' | 'resolved';
  source: string;
  sourceEventId: string | null;
}

/** What one discharge says of its patient. */
export interface DischargeRecord {
  eventId: string;
  subject: string;
  planId: string | null;
  deceased: boolean;
  atFacility: boolean;
  disposition: string | null;
  conditions: readonly ConditionChange[];
}

export type StoredContext = PatientContext & { planId: string | null };

export interface DeviceChange {
  system: string;
  code: string;
  present: boolean;
  /** True for a pharmacist's "missing" flag; a later "present" clears it. */
  flaggedByPharmacist: boolean;
  source: string;
}


interface PatientDbRow {
  subject: string;
  plan_id: string | null;
  deceased: boolean;
  at_facility: boolean;
}

interface ContextDbRow extends PatientDbRow {
  known: boolean;
  conditions: string[];
  /** [item system, item code, present, flagged by pharmacist] */
  devices: Array<[string, string, boolean, boolean]>;
  consents: SensitiveCategory[];
}

interface BenefitDbRow {
  plan_id: string;
  item_system: PlanBenefit['itemSystem'];
  item_code: string;
  coverage: PlanBenefit['coverage'];
  quantity_limit: number | null;
  quantity_period_days: number | null;
  benefit_rule_id: string;
}

const toBenefit = (row: BenefitDbRow): PlanBenefit => ({
  itemSystem: row.item_system,
  itemCode: row.item_code,
  coverage: row.coverage,
  quantityLimit: row.quantity_limit !== null && row.quantity_period_days !== null ? { quantity: row.quantity_limit, periodDays: row.quantity_period_days } : null,
  benefitRuleId: row.benefit_rule_id,
});

/** Upserts conditions given as six arrays from parameter `$first` on (subject, code, coding system, source event, status, source). */
const upsertConditionsSql = (first: number): string => {
  const [subject, code, codingSystem, sourceEvent, status, source] = [0, 1, 2, 3, 4, 5].map((offset) => `$${first + offset}`);
  return `INSERT INTO patient_conditions (subject, code, coding_system, source_event_id, status, source)
    SELECT subject, code, coding_system, source_event_id, status, source
    FROM unnest(${subject}::text[], ${code}::text[], ${codingSystem}::text[], ${sourceEvent}::uuid[], ${status}::text[], ${source}::text[])
      AS change(subject, code, coding_system, source_event_id, status, source)
    ON CONFLICT (subject, code) DO UPDATE SET coding_system = EXCLUDED.coding_system, source_event_id = EXCLUDED.source_event_id,
      status = EXCLUDED.status, source = EXCLUDED.source, recorded_at = now()`;
};

/** A code given twice keeps its last change, as one upsert after another would (one statement cannot change a row twice). */
const conditionColumns = (subject: string, conditions: readonly ConditionChange[]): unknown[] => {
  const rows = [...new Map(conditions.map((condition) => [condition.code, condition])).values()];
  return [
    rows.map(() => subject),
    rows.map((row) => row.code),
    rows.map((row) => row.codingSystem),
    rows.map((row) => row.sourceEventId),
    rows.map((row) => row.status),
    rows.map((row) => row.source),
  ];
};

const unknownPatient = (): StoredContext => ({ planId: null, deceased: false, atFacility: false, conditions: [], devices: new Map(), consents: new Set() });

/** The clinical context this service keeps per patient (conditions, devices, consents, plan) and per plan (benefits). */
@Injectable()
export class ContextRepository {
  /** Creates the patient if new and locks it, so one patient's evaluations never interleave (one statement: a do-nothing update locks). */
  async lockPatient(manager: EntityManager, subject: string): Promise<void> {
    await preparedQuery(manager, 'care-gap:lock-patient', 'INSERT INTO patients (subject) VALUES ($1) ON CONFLICT (subject) DO UPDATE SET subject = EXCLUDED.subject', [subject]);
  }

  /**
   * Records what a discharge says of the patient and its diagnoses, creating and locking the
   * patient as {@link lockPatient} does, in one statement.
   */
  async recordDischarge(manager: EntityManager, discharge: DischargeRecord): Promise<void> {
    await preparedQuery(
      manager,
      'care-gap:record-discharge',
      `WITH patient AS (
         INSERT INTO patients (subject, plan_id, deceased, at_facility, last_disposition) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (subject) DO UPDATE SET plan_id = COALESCE(EXCLUDED.plan_id, patients.plan_id), deceased = patients.deceased OR EXCLUDED.deceased,
           at_facility = EXCLUDED.at_facility, last_disposition = EXCLUDED.last_disposition, updated_at = now()
       )
       ${upsertConditionsSql(6)}`,
      [discharge.subject, discharge.planId, discharge.deceased, discharge.atFacility, discharge.disposition, ...conditionColumns(discharge.subject, discharge.conditions)],
    );
  }

  async markDeceased(manager: EntityManager, subject: string): Promise<void> {
    await manager.query('UPDATE patients SET deceased = true, updated_at = now() WHERE subject = $1', [subject]);
  }

  async setPlan(manager: EntityManager, subject: string, planId: string): Promise<void> {
    await manager.query('UPDATE patients SET plan_id = $2, updated_at = now() WHERE subject = $1', [subject, planId]);
  }

  /** One statement for all of them. */
  async upsertConditions(manager: EntityManager, subject: string, conditions: readonly ConditionChange[]): Promise<void> {
    if (conditions.length > 0) {
      await preparedQuery(manager, 'care-gap:upsert-conditions', upsertConditionsSql(1), conditionColumns(subject, conditions));
      }
  }

  async upsertDevices(manager: EntityManager, subject: string, devices: readonly DeviceChange[]): Promise<void> {
    for (const device of devices) {
      await manager.query(
        `INSERT INTO patient_devices (subject, item_system, item_code, present, flagged_by_pharmacist, source) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (subject, item_system, item_code) DO UPDATE SET present = EXCLUDED.present,
           flagged_by_pharmacist = CASE WHEN EXCLUDED.present THEN false ELSE patient_devices.flagged_by_pharmacist OR EXCLUDED.flagged_by_pharmacist END,
           source = EXCLUDED.source, updated_at = now()`,
        [subject, device.system, device.code, device.present, device.flaggedByPharmacist, device.source],
      );
    }
  }

  async upsertBenefit(manager: EntityManager, planId: string, benefit: PlanBenefit): Promise<void> {
    await manager.query(
      `INSERT INTO plan_benefits (plan_id, item_system, item_code, coverage, quantity_limit, quantity_period_days, benefit_rule_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (plan_id, item_system, item_code) DO UPDATE SET coverage = EXCLUDED.coverage, quantity_limit = EXCLUDED.quantity_limit,
         quantity_period_days = EXCLUDED.quantity_period_days, benefit_rule_id = EXCLUDED.benefit_rule_id, updated_at = now()`,
      [planId, benefit.itemSystem, benefit.itemCode, benefit.coverage, benefit.quantityLimit?.quantity ?? null, benefit.quantityLimit?.periodDays ?? null, benefit.benefitRuleId],
    );
  }

  async benefitFor(manager: EntityManager, planId: string | null, item: Pick<CareGapItem, 'system' | 'code'>): Promise<PlanBenefit | null> {
    if (planId === null) {
      return null;
    }
    const [row] = await preparedQuery<BenefitDbRow>(
      manager,
      'care-gap:benefit-for',
      `SELECT plan_id, item_system, item_code, coverage, quantity_limit, quantity_period_days, benefit_rule_id FROM plan_benefits
       WHERE plan_id = $1 AND item_system = $2 AND item_code = $3`,
      [planId, item.system, item.code],
    );
    return row ? toBenefit(row) : null;
  }

  async benefitsOf(manager: EntityManager, planId: string): Promise<PlanBenefit[]> {
    const rows = (await manager.query(
      `SELECT plan_id, item_system, item_code, coverage, quantity_limit, quantity_period_days, benefit_rule_id FROM plan_benefits
       WHERE plan_id = $1 ORDER BY item_system, item_code`,
      [planId],
    )) as BenefitDbRow[];
    return rows.map(toBenefit);
  }

  /** Every plan's benefit for one item: dry runs decide coverage for thousands of patients with one query. */
  async benefitsForItem(manager: EntityManager, item: Pick<CareGapItem, 'system' | 'code'>): Promise<Map<string, PlanBenefit>> {
    const rows = (await manager.query(
      `SELECT plan_id, item_system, item_code, coverage, quantity_limit, quantity_period_days, benefit_rule_id FROM plan_benefits
       WHERE item_system = $1 AND item_code = $2`,
      [item.system, item.code],
    )) as BenefitDbRow[];
    return new Map(rows.map((row) => [row.plan_id, toBenefit(row)]));
  }

  async recordConsent(manager: EntityManager, subject: string, category: SensitiveCategory, granted: boolean, actorId: string, reason: string): Promise<void> {
    await manager.query(
      `INSERT INTO consents (subject, category, granted, actor_id, reason) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (subject, category) DO UPDATE SET granted = EXCLUDED.granted, actor_id = EXCLUDED.actor_id, reason = EXCLUDED.reason, recorded_at = now()`,
      [subject, category, granted, actorId, reason],
    );
    await manager.query('INSERT INTO consent_history (subject, category, granted, actor_id, reason) VALUES ($1, $2, $3, $4, $5)', [
      subject,
      category,
      granted,
      actorId,
      reason,
    ]);
  }

  async consentsOf(manager: EntityManager, subject: string): Promise<ConsentView[]> {
    const rows = (await manager.query(
      'SELECT category, granted, actor_id, reason, recorded_at FROM consents WHERE subject = $1 ORDER BY category',
      [subject],
    )) as Array<{ category: SensitiveCategory; granted: boolean; actor_id: string; reason: string; recorded_at: Date }>;
    return rows.map((row) => ({ category: row.category, granted: row.granted, actorId: row.actor_id, reason: row.reason, recordedAt: row.recorded_at.toISOString() }));
  }

  async recordPharmacyTask(manager: EntityManager, taskId: string, subject: string, teamId: string | null): Promise<void> {
    await preparedQuery(
      manager,
      'care-gap:record-pharmacy-task',
      `INSERT INTO pharmacy_tasks (task_id, subject, team_id) VALUES ($1, $2, $3) ON CONFLICT (task_id) DO UPDATE SET team_id = EXCLUDED.team_id`,
      [taskId, subject, teamId],
    );
  }

  async teamOfTask(manager: EntityManager, taskId: string): Promise<string | null> {
    const [row] = (await manager.query('SELECT team_id FROM pharmacy_tasks WHERE task_id = $1', [taskId])) as Array<{ team_id: string | null }>;
    return row?.team_id ?? null;
  }

  async loadContext(manager: EntityManager, subject: string): Promise<StoredContext> {
    return (await this.loadContexts(manager, [subject])).get(subject) ?? unknownPatient();
  }

  /**
   * Context of many patients in one statement: a discharge evaluates one patient, a dry run
   * thousands. A patient of whom nothing is stored has no entry.
   */
  async loadContexts(manager: EntityManager, subjects: readonly string[]): Promise<Map<string, StoredContext>> {
    const contexts = new Map<string, StoredContext>();
    if (subjects.length === 0) {
      return contexts;
    }
    const rows = await preparedQuery<ContextDbRow>(
      manager,
      'care-gap:load-contexts',
      `SELECT s.subject, p.subject IS NOT NULL AS known, p.plan_id, coalesce(p.deceased, false) AS deceased, coalesce(p.at_facility, false) AS at_facility,
         ARRAY(SELECT c.code FROM patient_conditions c WHERE c.subject = s.subject AND c.status = 'active' ORDER BY c.code) AS conditions,
         coalesce((SELECT json_agg(json_build_array(d.item_system, d.item_code, d.present, d.flagged_by_pharmacist))
                   FROM patient_devices d WHERE d.subject = s.subject), '[]'::json) AS devices,
         ARRAY(SELECT k.category FROM consents k WHERE k.subject = s.subject AND k.granted) AS consents
       FROM unnest($1::text[]) AS s(subject) LEFT JOIN patients p ON p.subject = s.subject`,
      [[...new Set(subjects)]],
    );
    for (const row of rows) {
      if (!row.known && row.conditions.length === 0 && row.devices.length === 0 && row.consents.length === 0) {
        continue;
      }
      contexts.set(row.subject, {
        planId: row.plan_id,
        deceased: row.deceased,
        atFacility: row.at_facility,
        conditions: row.conditions,
        devices: new Map(
          row.devices.map(([system, code, present, flaggedByPharmacist]) => [itemKey({ system: system as CareGapItem['system'], code }), { present, flaggedByPharmacist }]),
        ),
        consents: new Set(row.consents),
      });
    }
    return contexts;
  }

  /** Patients with an active condition that may be in the code set (exact matching happens in code), or with a pharmacist flag for the item. */
  async candidateSubjects(manager: EntityManager, codeSet: ConditionCodeSet, item: Pick<CareGapItem, 'system' | 'code'>, limit: number): Promise<string[]> {
    const params: unknown[] = [];
    const clauses: string[] = [];
    const normalized = "upper(replace(code, '.', ''))";
    for (const range of codeSet.ranges) {
      params.push(range.from.toUpperCase(), range.to.toUpperCase());
      clauses.push(`substr(${normalized}, 1, 3) BETWEEN $${params.length - 1} AND $${params.length}`);
    }
    for (const prefix of codeSet.prefixes) {
      params.push(`${prefix.toUpperCase().replace(/\./g, '')}%`);
      clauses.push(`${normalized} LIKE $${params.length}`);
    }
    params.push(item.system, item.code, limit + 1);
    const conditionFilter = clauses.length > 0 ? `SELECT subject FROM patient_conditions WHERE status = 'active' AND (${clauses.join(' OR ')}) UNION ` : '';
    const rows = (await manager.query(
      `SELECT subject FROM (${conditionFilter}SELECT subject FROM patient_devices WHERE item_system = $${params.length - 2} AND item_code = $${params.length - 1} AND flagged_by_pharmacist) candidates
       ORDER BY subject LIMIT $${params.length}`,
      params,
    )) as Array<{ subject: string }>;
    return rows.map((row) => row.subject);
  }
}

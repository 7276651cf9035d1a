import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { EncounterPatient, PatientIdentifier } from '@sc/contracts';
import { UnitOfWork, preparedQuery } from '@sc/persistence';
import type { RosterPatientDto } from './roster.dto';

export interface RosterPatient {
  id: string;
  pharmacyPatientId: string;
  familyName: string;
  givenName: string;
  birthDate: string;
  sex: string | null;
  preferredLanguage: string | null;
  pharmacistId: string | null;
  teamId: string | null;
  outreachConsent: boolean;
  contactChannels: string[];
  hasSpecialtyTherapy: boolean;
}

interface PatientRow {
  id: string;
  pharmacy_patient_id: string;
  family_name: string;
  given_name: string;
  birth_date: string;
  sex: string | null;
  preferred_language: string | null;
  pharmacist_id: string | null;
  team_id: string | null;
  outreach_consent: boolean;
  contact_channels: string[];
  therapies: string;
}

export type MatchablePatient = Pick<EncounterPatient, 'identifiers' | 'birthDate' | 'familyName' | 'givenName'>;

export interface MatchCandidates {
  byIdentifier: RosterPatient[];
  byDemographics: RosterPatient[];
}

const PATIENT_COLUMNS = `p.id, p.pharmacy_patient_id, p.family_name, p.given_name, to_char(p.birth_date, 'YYYY-MM-DD') AS birth_date, p.sex,
  p.preferred_language, p.pharmacist_id, p.team_id, p.outreach_consent, p.contact_channels,
  (SELECT count(*) FROM therapies t WHERE t.patient_id = p.id) AS therapies`;

const toPatient = (row: PatientRow): RosterPatient => ({
  id: row.id,
  pharmacyPatientId: row.pharmacy_patient_id,
  familyName: row.family_name,
  givenName: row.given_name,
  birthDate: row.birth_date,
  sex: row.sex,
  preferredLanguage: row.preferred_language,
  pharmacistId: row.pharmacist_id,
  teamId: row.team_id,
  outreachConsent: row.outreach_consent,
  contactChannels: row.contact_channels,
  hasSpecialtyTherapy: Number(row.therapies) > 0,
});

@Injectable()
export class RosterRepository {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  /** Inserts or updates one patient by pharmacy patient id, replacing identifiers and therapies. */
  async upsert(row: RosterPatientDto): Promise<string> {
    return this.unitOfWork.run(async (manager) => {
      const [{ id }]: Array<{ id: string }> = await manager.query(
        `INSERT INTO patients (id, pharmacy_patient_id, family_name, given_name, birth_date, sex, preferred_language, pharmacist_id, team_id, outreach_consent, contact_channels)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (pharmacy_patient_id) DO UPDATE SET
           family_name = EXCLUDED.family_name, given_name = EXCLUDED.given_name, birth_date = EXCLUDED.birth_date,
           sex = EXCLUDED.sex, preferred_language = EXCLUDED.preferred_language, pharmacist_id = EXCLUDED.pharmacist_id,
           team_id = EXCLUDED.team_id, outreach_consent = EXCLUDED.outreach_consent, contact_channels = EXCLUDED.contact_channels, enrolled = true, updated_at = now()
         RETURNING id`,
        [
          randomUUID(),
          row.pharmacyPatientId,
          row.familyName,
          row.givenName,
          row.birthDate,
          row.sex ?? null,
          row.preferredLanguage ?? null,
          row.pharmacistId ?? null,
          row.teamId ?? null,
          row.outreachConsent ?? true,
          row.contactChannels ?? ['phone'],
        ],
      );
      await this.replaceIdentifiers(manager, id, row);
      await manager.query('DELETE FROM therapies WHERE patient_id = $1', [id]);
      for (const therapy of row.therapies ?? []) {
        await manager.query(
          `INSERT INTO therapies (patient_id, drug_system, drug_code, drug_name, condition_code) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT DO NOTHING`,
          [id, therapy.drugSystem, therapy.drugCode, therapy.drugName ?? null, therapy.conditionCode ?? null],
        );
      }
      return id;
    });
  }

  /** Enrolled patients any of whose identifiers equals one of the given ones (authority and value). */
  async findByIdentifiers(manager: EntityManager, identifiers: PatientIdentifier[]): Promise<RosterPatient[]> {
    const withAuthority = identifiers.filter((identifier) => identifier.authority !== null);
    if (withAuthority.length === 0) {
      return [];
    }
    const rows = await preparedQuery<PatientRow>(
      manager,
      'pharmacy-alert:roster-by-identifiers',
      `SELECT DISTINCT ${PATIENT_COLUMNS}
       FROM patient_identifiers i JOIN patients p ON p.id = i.patient_id
       WHERE p.enrolled AND (i.authority, i.value) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [withAuthority.map((identifier) => identifier.authority), withAuthority.map((identifier) => identifier.value)],
    );
    return rows.map(toPatient);
  }

  /**
   * Both kinds of candidates for each patient, all in one round trip: the patients holding any of its identifiers and,
   * only when none does, the demographic candidates: same birth date and the same family or given
   * name (a score below the review threshold needs neither), none without a birth date. Capped: a
   * bucket larger than that is ambiguous anyway and goes to review with the first candidates. The
   * attribution index's keys (attributionKeys) cover exactly these conditions.
   */
  async findMatchCandidates(manager: EntityManager, patients: readonly MatchablePatient[]): Promise<MatchCandidates[]> {
    const identifiers = patients.flatMap((patient, index) => patient.identifiers.filter((identifier) => identifier.authority !== null).map((identifier) => ({ index, ...identifier })));
    const rows = await preparedQuery<PatientRow & { via: 'identifier' | 'demographics'; n: number }>(
      manager,
      'pharmacy-alert:roster-match-candidates',
      `WITH wanted AS (
         SELECT * FROM unnest($1::int[], $2::text[], $3::text[]) AS w(n, authority, value)
       ), by_identifier AS (
         SELECT DISTINCT w.n, ${PATIENT_COLUMNS}
         FROM wanted w JOIN patient_identifiers i ON i.authority = w.authority AND i.value = w.value JOIN patients p ON p.id = i.patient_id
         WHERE p.enrolled
       ), by_demographics AS (
         SELECT q.n - 1 AS n, d.* FROM unnest($4::date[], $5::text[], $6::text[]) WITH ORDINALITY AS q(birth_date, family_name, given_name, n)
         CROSS JOIN LATERAL (
           SELECT ${PATIENT_COLUMNS} FROM patients p
           WHERE q.birth_date IS NOT NULL AND NOT EXISTS (SELECT 1 FROM by_identifier b WHERE b.n = q.n - 1)
             AND p.enrolled AND p.birth_date = q.birth_date AND (upper(p.family_name) = upper(q.family_name) OR upper(p.given_name) = upper(q.given_name))
           LIMIT 50
         ) d
       )
       SELECT 'identifier' AS via, * FROM by_identifier UNION ALL SELECT 'demographics', * FROM by_demographics`,
      [
        identifiers.map((identifier) => identifier.index),
        identifiers.map((identifier) => identifier.authority),
        identifiers.map((identifier) => identifier.value),
        patients.map((patient) => patient.birthDate ?? null),
        patients.map((patient) => patient.familyName ?? ''),
        patients.map((patient) => patient.givenName ?? ''),
      ],
    );
    const candidates = patients.map((): MatchCandidates => ({ byIdentifier: [], byDemographics: [] }));
    for (const row of rows) {
      const found = candidates[Number(row.n)];
      (row.via === 'identifier' ? found.byIdentifier : found.byDemographics).push(toPatient(row));
    }
    return candidates;
  }

  async findById(manager: EntityManager, id: string): Promise<RosterPatient | undefined> {
    const rows: PatientRow[] = await manager.query(`SELECT ${PATIENT_COLUMNS} FROM patients p WHERE p.id = $1`, [id]);
    return rows.length === 1 ? toPatient(rows[0]) : undefined;
  }

  /** Links hospital identifiers to a roster patient (identity review, merges); an identifier moves if another patient held it. */
  async attachIdentifiers(manager: EntityManager, patientId: string, identifiers: PatientIdentifier[]): Promise<void> {
    for (const identifier of identifiers.filter((candidate) => candidate.authority !== null)) {
      await manager.query(
        `INSERT INTO patient_identifiers (patient_id, authority, value, type) VALUES ($1, $2, $3, $4)
         ON CONFLICT (authority, value) DO UPDATE SET patient_id = EXCLUDED.patient_id`,
        [patientId, identifier.authority, identifier.value, identifier.type ?? 'MR'],
      );
    }
  }

  /**
   * Remembers that each `subject` (the pseudonymous reference on events) is this roster patient.
   * Nearly every event of a patient repeats what is known: a row is written only when it changes.
   */
  async rememberSubjects(manager: EntityManager, links: ReadonlyArray<{ subject: string; patientId: string }>): Promise<void> {
    // One row per subject (the last link wins): a statement may not update a row twice.
    const latest = new Map(links.map((link) => [link.subject, link.patientId]));
    if (latest.size === 0) {
      return;
    }
    await preparedQuery(
      manager,
      'pharmacy-alert:remember-subjects',
      `INSERT INTO patient_subjects (subject, patient_id) SELECT * FROM unnest($1::text[], $2::uuid[])
       ON CONFLICT (subject) DO UPDATE SET patient_id = EXCLUDED.patient_id, learned_at = now()
       WHERE patient_subjects.patient_id <> EXCLUDED.patient_id`,
      [[...latest.keys()], [...latest.values()]],
    );
  }

  async patientOfSubject(manager: EntityManager, subject: string): Promise<string | undefined> {
    const rows = await preparedQuery<{ patient_id: string }>(manager, 'pharmacy-alert:patient-of-subject', 'SELECT patient_id FROM patient_subjects WHERE subject = $1', [
      subject,
    ]);
    return rows[0]?.patient_id;
  }

  async setEnrolled(pharmacyPatientId: string, enrolled: boolean): Promise<boolean> {
    const [, affected]: [unknown, number] = await this.unitOfWork.run((manager) =>
      manager.query('UPDATE patients SET enrolled = $2, updated_at = now() WHERE pharmacy_patient_id = $1', [pharmacyPatientId, enrolled]),
    );
    return affected > 0;
  }

  private async replaceIdentifiers(manager: EntityManager, patientId: string, row: RosterPatientDto): Promise<void> {
    await manager.query('DELETE FROM patient_identifiers WHERE patient_id = $1', [patientId]);
    for (const identifier of row.identifiers) {
      // An identifier already held by another patient moves to this row; the roster file is the source of truth.
      await manager.query(
        `INSERT INTO patient_identifiers (patient_id, authority, value, type) VALUES ($1, $2, $3, $4)
         ON CONFLICT (authority, value) DO UPDATE SET patient_id = EXCLUDED.patient_id, type = EXCLUDED.type`,
        [patientId, identifier.authority, identifier.value, identifier.type],
      );
    }
  }
}

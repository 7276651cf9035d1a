import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { EncounterPatient, PatientIdentifier } from '@sc/contracts';
import {
  UnitOfWork,
  deferredStatement,
  flushDeferred,
  forgetInTransaction,
  memoInTransaction,
  preparedQuery,
  recallInTransaction,
  rememberInTransaction,
  writeBehind,
} from '@sc/persistence';
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

/** Which roster patient a hospital subject is: learned on every matched encounter, read only by patientOfSubject. */
const subjectLinks = deferredStatement<{ subject: string; patientId: string }>({
  key: 'pharmacy-alert:subject-links',
  statement: 'pharmacy-alert:remember-subjects',
  text: `INSERT INTO patient_subjects (subject, patient_id) SELECT * FROM unnest($1::text[], $2::uuid[])
       ON CONFLICT (subject) DO UPDATE SET patient_id = EXCLUDED.patient_id, learned_at = now()`,
  columns: [(row) => row.subject, (row) => row.patientId],
  // One statement cannot change a subject's row twice.
  conflictKeys: (row) => [row.subject],
});

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

/** Everything the candidate lookup depends on, so equal keys get equal candidates. */
const matchMemoKey = (patient: MatchablePatient): string =>
  `pharmacy-alert:match:${JSON.stringify([
    patient.identifiers.filter((identifier) => identifier.authority !== null).map((identifier) => [identifier.authority, identifier.value]),
    patient.birthDate ?? null,
    patient.familyName ?? '',
    patient.givenName ?? '',
  ])}`;

/** The transaction's answer of {@link RosterRepository.patientOfSubject}: the link is only ever written through this repository. */
const subjectMemoKey = (subject: string): string => `pharmacy-alert:subject:${subject}`;

/** A roster change in a transaction that looked candidates up makes it look them up again. */
const forgetMatchCandidates = (manager: EntityManager): void => forgetInTransaction(manager, 'pharmacy-alert:match:');

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
      forgetMatchCandidates(manager);
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
          row.preferredLanguage?.toLowerCase() ?? null,
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
   * Both kinds of candidates in one round trip (it costs more than the lookups themselves): the
   * patients holding any of the identifiers and, only when none does, the demographic candidates:
   * same birth date and the same family or given name (a score below the review threshold needs
   * neither), none without a birth date. Capped: a bucket larger than that is ambiguous anyway and
   * goes to review with the first candidates. Answered from the transaction's memory when
   * {@link prefetchMatchCandidates} looked the patient up with the rest of its run.
   */
  async findMatchCandidates(manager: EntityManager, patient: MatchablePatient): Promise<MatchCandidates> {
    return memoInTransaction(manager, matchMemoKey(patient), async () => (await this.matchCandidatesOf(manager, [patient]))[0]);
  }

  /** Looks up the candidates of a run's patients in one statement and remembers them for the transaction. */
  async prefetchMatchCandidates(manager: EntityManager, patients: readonly MatchablePatient[]): Promise<void> {
    const unique = [...new Map(patients.map((patient) => [matchMemoKey(patient), patient])).entries()];
    if (unique.length === 0) {
      return;
    }
    const candidates = await this.matchCandidatesOf(
      manager,
      unique.map(([, patient]) => patient),
    );
    unique.forEach(([key], index) => rememberInTransaction(manager, key, candidates[index]));
  }

  private async matchCandidatesOf(manager: EntityManager, patients: readonly MatchablePatient[]): Promise<MatchCandidates[]> {
    const identifiers = patients.flatMap((patient, index) =>
      patient.identifiers.filter((identifier) => identifier.authority !== null).map((identifier) => ({ index, authority: identifier.authority, value: identifier.value })),
    );
    const rows = await preparedQuery<PatientRow & { via: 'identifier' | 'demographics'; position: number }>(
      manager,
      'pharmacy-alert:roster-match-candidates',
      `WITH wanted AS (
         SELECT * FROM unnest($1::int[], $2::text[], $3::text[]) AS w(position, authority, value)
       ), asked AS (
         SELECT * FROM unnest($4::int[], $5::date[], $6::text[], $7::text[]) AS a(position, birth_date, family_name, given_name)
       ), by_identifier AS (
         SELECT DISTINCT w.position, ${PATIENT_COLUMNS}
         FROM wanted w JOIN patient_identifiers i ON i.authority = w.authority AND i.value = w.value JOIN patients p ON p.id = i.patient_id
         WHERE p.enrolled
       ), by_demographics AS (
         SELECT a.position, candidate.* FROM asked a CROSS JOIN LATERAL (
           SELECT ${PATIENT_COLUMNS} FROM patients p
           WHERE a.birth_date IS NOT NULL AND NOT EXISTS (SELECT 1 FROM by_identifier b WHERE b.position = a.position)
             AND p.enrolled AND p.birth_date = a.birth_date AND (upper(p.family_name) = upper(a.family_name) OR upper(p.given_name) = upper(a.given_name))
           LIMIT 50
         ) candidate
       )
       SELECT 'identifier' AS via, * FROM by_identifier UNION ALL SELECT 'demographics', * FROM by_demographics`,
      [
        identifiers.map((identifier) => identifier.index),
        identifiers.map((identifier) => identifier.authority),
        identifiers.map((identifier) => identifier.value),
        patients.map((_, index) => index),
        patients.map((patient) => patient.birthDate ?? null),
        patients.map((patient) => patient.familyName ?? ''),
        patients.map((patient) => patient.givenName ?? ''),
      ],
    );
    const result = patients.map((): MatchCandidates => ({ byIdentifier: [], byDemographics: [] }));
    for (const row of rows) {
      const found = result[row.position];
      (row.via === 'identifier' ? found.byIdentifier : found.byDemographics).push(toPatient(row));
    }
    return result;
  }

  async findById(manager: EntityManager, id: string): Promise<RosterPatient | undefined> {
    const rows: PatientRow[] = await manager.query(`SELECT ${PATIENT_COLUMNS} FROM patients p WHERE p.id = $1`, [id]);
    return rows.length === 1 ? toPatient(rows[0]) : undefined;
  }

  /** Links hospital identifiers to a roster patient (identity review, merges); an identifier moves if another patient held it. */
  async attachIdentifiers(manager: EntityManager, patientId: string, identifiers: PatientIdentifier[]): Promise<void> {
    forgetMatchCandidates(manager);
    for (const identifier of identifiers.filter((candidate) => candidate.authority !== null)) {
      await manager.query(
        `INSERT INTO patient_identifiers (patient_id, authority, value, type) VALUES ($1, $2, $3, $4)
         ON CONFLICT (authority, value) DO UPDATE SET patient_id = EXCLUDED.patient_id`,
        [patientId, identifier.authority, identifier.value, identifier.type ?? 'MR'],
      );
    }
  }

  /**
   * Remembers that `subject` (the pseudonymous reference on events) is this roster patient. Written
   * at commit with the transaction's other links; the transaction's own {@link patientOfSubject}
   * answers the new link at once.
   */
  async rememberSubject(manager: EntityManager, subject: string, patientId: string): Promise<void> {
    await writeBehind(manager, subjectLinks, [{ subject, patientId }]);
    rememberInTransaction(manager, subjectMemoKey(subject), patientId);
  }

  /** Answered from the transaction's memory when {@link prefetchPatientsOfSubjects} looked it up with its run. */
  async patientOfSubject(manager: EntityManager, subject: string): Promise<string | undefined> {
    return memoInTransaction(manager, subjectMemoKey(subject), async () => (await this.patientsOfSubjects(manager, [subject])).get(subject));
  }

  /** Looks up the roster patients of a run's subjects in one statement and remembers them for the transaction. */
  async prefetchPatientsOfSubjects(manager: EntityManager, subjects: readonly string[]): Promise<void> {
    const unknown = [...new Set(subjects)].filter((subject) => recallInTransaction(manager, subjectMemoKey(subject)) === undefined);
    if (unknown.length === 0) {
      return;
    }
    const patients = await this.patientsOfSubjects(manager, unknown);
    for (const subject of unknown) {
      rememberInTransaction(manager, subjectMemoKey(subject), patients.get(subject));
    }
  }

  private async patientsOfSubjects(manager: EntityManager, subjects: readonly string[]): Promise<Map<string, string>> {
    await flushDeferred(manager, subjectLinks);
    const rows = await preparedQuery<{ subject: string; patient_id: string }>(
      manager,
      'pharmacy-alert:patients-of-subjects',
      'SELECT subject, patient_id FROM patient_subjects WHERE subject = ANY($1::text[])',
      [subjects],
    );
    return new Map(rows.map((row) => [row.subject, row.patient_id]));
  }

  async setEnrolled(pharmacyPatientId: string, enrolled: boolean): Promise<boolean> {
    const [, affected]: [unknown, number] = await this.unitOfWork.run((manager) => {
      forgetMatchCandidates(manager);
      return manager.query('UPDATE patients SET enrolled = $2, updated_at = now() WHERE pharmacy_patient_id = $1', [pharmacyPatientId, enrolled]);
    });
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

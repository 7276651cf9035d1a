import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { columnArrays, deferredStatement, flushDeferred, preparedQuery, takeDeferredIf, writeBehind } from '@sc/persistence';
import type { CodedMedication, EncounterDiagnosis, MedicationDiscrepancy } from '@sc/contracts';

/** What this service keeps of an encounter episode from adt-ingest's events. */
export interface EpisodeFacts {
  correlationId: string;
  subject: string | null;
  facility: string | null;
  patientClass: string | null;
  admittedAt: Date | null;
  dischargedAt: Date | null;
  disposition: string | null;
  diagnoses: EncounterDiagnosis[];
  dischargeCancelledAt: Date | null;
  admissionCancelledAt: Date | null;
}

export interface EncounterUpdate {
  correlationId: string;
  subject: string;
  facility: string;
  patientClass: string | null;
  admittedAt: Date | null;
  diagnoses: EncounterDiagnosis[];
  /** The patient's language as the hospital reports it; null keeps what is known. */
  language: string | null;
  /** Given for a discharge. */
  discharge?: { at: Date; disposition: string | null };
  /** When the event reports the patient's death; an earlier known death is kept. */
  diedAt?: Date;
}

export interface PatientFacts {
  subject: string;
  language: string | null;
  deceasedAt: Date | null;
}

export interface Reconciliation {
  taskId: string;
  correlationId: string;
  homeMedications: CodedMedication[];
  startedInHospital: CodedMedication[];
  stopped: CodedMedication[];
  changed: CodedMedication[];
  discrepancies: MedicationDiscrepancy[];
  reconciledAt: Date;
}

export interface FollowUp {
  taskId: string;
  correlationId: string;
  outcome: string;
  completedAt: Date;
  withinWindow: boolean;
}

interface EpisodeRow {
  correlation_id: string;
  subject: string | null;
  facility: string | null;
  patient_class: string | null;
  admitted_at: Date | null;
  discharged_at: Date | null;
  disposition: string | null;
  diagnoses: EncounterDiagnosis[];
  discharge_cancelled_at: Date | null;
  admission_cancelled_at: Date | null;
}

const toEpisode = (row: EpisodeRow): EpisodeFacts => ({
  correlationId: row.correlation_id,
  subject: row.subject,
  facility: row.facility,
  patientClass: row.patient_class,
  admittedAt: row.admitted_at,
  dischargedAt: row.discharged_at,
  disposition: row.disposition,
  diagnoses: row.diagnoses,
  dischargeCancelledAt: row.discharge_cancelled_at,
  admissionCancelledAt: row.admission_cancelled_at,
});

/**
 * The upserts of a run's encounter facts, as common table expressions over parameters $1-$10,
 * returning the rows as written: `patient_written` and `episode_written`. A discharge always
 * carries its time, so a discharged_at is what tells a discharge apart.
 */
const UPSERT_ENCOUNTERS = `encounter AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::timestamptz[], $9::text[], $10::timestamptz[])
      WITH ORDINALITY AS e(correlation_id, subject, facility, patient_class, admitted_at, diagnoses, language, discharged_at, disposition, died_at, position)
  ), patient_written AS (
    INSERT INTO patients (subject, language, deceased_at) SELECT subject, language, died_at FROM encounter ORDER BY position
    ON CONFLICT (subject) DO UPDATE SET language = COALESCE(EXCLUDED.language, patients.language),
      deceased_at = COALESCE(patients.deceased_at, EXCLUDED.deceased_at), updated_at = now()
    RETURNING subject, language, deceased_at
  ), episode_written AS (
    INSERT INTO episodes (correlation_id, subject, facility, patient_class, admitted_at, diagnoses, discharged_at, disposition)
    SELECT correlation_id, subject, facility, patient_class, admitted_at, diagnoses::jsonb, discharged_at, disposition FROM encounter ORDER BY position
    ON CONFLICT (correlation_id) DO UPDATE SET
      subject = EXCLUDED.subject,
      facility = EXCLUDED.facility,
      patient_class = COALESCE(EXCLUDED.patient_class, episodes.patient_class),
      admitted_at = COALESCE(EXCLUDED.admitted_at, episodes.admitted_at),
      diagnoses = CASE WHEN jsonb_array_length(EXCLUDED.diagnoses) > 0 THEN EXCLUDED.diagnoses ELSE episodes.diagnoses END,
      discharged_at = COALESCE(EXCLUDED.discharged_at, episodes.discharged_at),
      disposition = CASE WHEN EXCLUDED.discharged_at IS NOT NULL THEN EXCLUDED.disposition ELSE episodes.disposition END,
      discharge_cancelled_at = CASE WHEN EXCLUDED.discharged_at IS NOT NULL AND episodes.discharge_cancelled_at <= EXCLUDED.discharged_at
        THEN NULL ELSE episodes.discharge_cancelled_at END,
      updated_at = now()
    RETURNING *
  )`;

/** The parameters $1-$10 of {@link UPSERT_ENCOUNTERS}, from a run's updates. */
const ENCOUNTER_COLUMNS: ReadonlyArray<(update: EncounterUpdate) => unknown> = [
  (update) => update.correlationId,
  (update) => update.subject,
  (update) => update.facility,
  (update) => update.patientClass,
  (update) => update.admittedAt,
  (update) => JSON.stringify(update.diagnoses),
  (update) => update.language,
  (update) => update.discharge?.at ?? null,
  (update) => update.discharge?.disposition ?? null,
  (update) => update.diedAt ?? null,
];

/** Encounters of one transaction in one statement; an episode or patient twice waits for the next. */
const encounterFacts = deferredStatement<EncounterUpdate>({
  key: 'referral:encounter-facts',
  statement: 'referral:record-encounters',
  text: `WITH ${UPSERT_ENCOUNTERS} SELECT count(*) FROM episode_written`,
  columns: ENCOUNTER_COLUMNS,
  conflictKeys: (update) => [`episode:${update.correlationId}`, `patient:${update.subject}`],
});

/**
 * One episode and one patient as they stand once the given encounter facts are written, in the
 * statement that writes them: a row just written comes from its upsert (the statement's snapshot
 * does not see it in the table), any other from the table. Always one row.
 */
const EPISODE_AND_PATIENT = `WITH ${UPSERT_ENCOUNTERS},
  episode AS (
    SELECT * FROM episode_written WHERE correlation_id = $11
    UNION ALL SELECT * FROM episodes WHERE correlation_id = $11 AND NOT EXISTS (SELECT 1 FROM episode_written WHERE correlation_id = $11)
  ), patient AS (
    SELECT * FROM patient_written WHERE subject = $12
    UNION ALL SELECT subject, language, deceased_at FROM patients WHERE subject = $12 AND NOT EXISTS (SELECT 1 FROM patient_written WHERE subject = $12)
  )
  SELECT episode.*, patient.subject AS patient_subject, patient.language AS patient_language, patient.deceased_at AS patient_deceased_at
  FROM (SELECT 1) AS one LEFT JOIN episode ON true LEFT JOIN patient ON true`;

type EpisodeAndPatientRow = { [column in keyof EpisodeRow]: EpisodeRow[column] | null } & {
  patient_subject: string | null;
  patient_language: string | null;
  patient_deceased_at: Date | null;
};

/**
 * The facts this service keeps from other services' events (episodes, patients, pharmacist
 * reconciliations and follow-ups): enough to time, route and cancel referrals and to assemble a
 * specialist briefing, never the names, identifiers or free text those events may carry.
 */
@Injectable()
export class ClinicalFactsRepository {
  /**
   * Records what an encounter event says about its episode and patient. Later events fill what
   * earlier ones lacked; a discharge lifts an earlier cancellation (A13) only if it happened
   * after it, so a late copy of the cancelled discharge does not revive the episode. Written
   * with the transaction's other encounters in one statement (a consumer's round trips bound its
   * rate); every other method here first writes what is pending, or writes it in its own statement.
   */
  async recordEncounter(manager: EntityManager, update: EncounterUpdate): Promise<void> {
    await writeBehind(manager, encounterFacts, [update]);
  }

  async recordCancellation(manager: EntityManager, correlationId: string, subject: string, kind: 'discharge' | 'admission', at: Date): Promise<void> {
    await flushDeferred(manager, encounterFacts);
    const column = kind === 'discharge' ? 'discharge_cancelled_at' : 'admission_cancelled_at';
    await preparedQuery(
      manager,
      `referral:record-${kind}-cancellation`,
      `INSERT INTO episodes (correlation_id, subject, ${column}) VALUES ($1, $2, $3)
       ON CONFLICT (correlation_id) DO UPDATE SET subject = EXCLUDED.subject,
         ${column} = GREATEST(episodes.${column}, EXCLUDED.${column}), updated_at = now()`,
      [correlationId, subject, at],
    );
  }

  /**
   * What a new referral needs of its episode and patient, in one round trip: the transaction's
   * pending encounter facts are written by the same statement when any concerns either, since a
   * referral from a discharge reads the facts its own event has just recorded.
   */
  async episodeAndPatient(manager: EntityManager, correlationId: string, subject: string): Promise<{ episode?: EpisodeFacts; patient?: PatientFacts }> {
    const pending = takeDeferredIf(manager, encounterFacts, (update) => update.correlationId === correlationId || update.subject === subject);
    const [row] = await preparedQuery<EpisodeAndPatientRow>(manager, 'referral:episode-and-patient', EPISODE_AND_PATIENT, [
      ...columnArrays(pending, ENCOUNTER_COLUMNS),
      correlationId,
      subject,
    ]);
    return {
      episode: row.correlation_id === null ? undefined : toEpisode(row as EpisodeRow),
      patient: row.patient_subject === null ? undefined : { subject: row.patient_subject, language: row.patient_language, deceasedAt: row.patient_deceased_at },
    };
  }

  /** The patient's episodes, latest first, without those whose admission the hospital cancelled. */
  async recentEpisodes(manager: EntityManager, subject: string, limit: number): Promise<EpisodeFacts[]> {
    await flushDeferred(manager, encounterFacts);
    const rows: EpisodeRow[] = await manager.query(
      `SELECT * FROM episodes WHERE subject = $1 AND admission_cancelled_at IS NULL
       ORDER BY COALESCE(discharged_at, admitted_at, updated_at) DESC LIMIT $2`,
      [subject, limit],
    );
    return rows.map(toEpisode);
  }

  async recordDeath(manager: EntityManager, subject: string, at: Date): Promise<void> {
    await flushDeferred(manager, encounterFacts);
    await preparedQuery(
      manager,
      'referral:record-death',
      `INSERT INTO patients (subject, deceased_at) VALUES ($1, $2)
       ON CONFLICT (subject) DO UPDATE SET deceased_at = COALESCE(patients.deceased_at, EXCLUDED.deceased_at), updated_at = now()`,
      [subject, at],
    );
  }

  /** Keeps the latest reconciliation of each pharmacist task (a task may be re-reconciled). */
  async recordReconciliation(manager: EntityManager, subject: string, reconciliation: Reconciliation): Promise<void> {
    await flushDeferred(manager, encounterFacts);
    await manager.query(
      `INSERT INTO medication_reconciliations (task_id, subject, correlation_id, home_medications, started_in_hospital, stopped, changed, discrepancies, reconciled_at)
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6::jsonb, $7::jsonb, $8::jsonb, $9)
       ON CONFLICT (task_id) DO UPDATE SET home_medications = EXCLUDED.home_medications, started_in_hospital = EXCLUDED.started_in_hospital,
         stopped = EXCLUDED.stopped, changed = EXCLUDED.changed, discrepancies = EXCLUDED.discrepancies, reconciled_at = EXCLUDED.reconciled_at
       WHERE medication_reconciliations.reconciled_at <= EXCLUDED.reconciled_at`,
      [
        reconciliation.taskId,
        subject,
        reconciliation.correlationId,
        JSON.stringify(reconciliation.homeMedications),
        JSON.stringify(reconciliation.startedInHospital),
        JSON.stringify(reconciliation.stopped),
        JSON.stringify(reconciliation.changed),
        JSON.stringify(reconciliation.discrepancies),
        reconciliation.reconciledAt,
      ],
    );
  }

  async latestReconciliation(manager: EntityManager, subject: string): Promise<Reconciliation | undefined> {
    await flushDeferred(manager, encounterFacts);
    const rows: Array<{
      task_id: string;
      correlation_id: string;
      home_medications: CodedMedication[];
      started_in_hospital: CodedMedication[];
      stopped: CodedMedication[];
      changed: CodedMedication[];
      discrepancies: MedicationDiscrepancy[];
      reconciled_at: Date;
    }> = await manager.query('SELECT * FROM medication_reconciliations WHERE subject = $1 ORDER BY reconciled_at DESC LIMIT 1', [subject]);
    if (rows.length === 0) {
      return undefined;
    }
    const [row] = rows;
    return {
      taskId: row.task_id,
      correlationId: row.correlation_id,
      homeMedications: row.home_medications,
      startedInHospital: row.started_in_hospital,
      stopped: row.stopped,
      changed: row.changed,
      discrepancies: row.discrepancies,
      reconciledAt: row.reconciled_at,
    };
  }

  async recordFollowUp(manager: EntityManager, subject: string, followUp: FollowUp): Promise<void> {
    await flushDeferred(manager, encounterFacts);
    await manager.query(
      `INSERT INTO pharmacist_follow_ups (task_id, subject, correlation_id, outcome, completed_at, within_window) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (task_id) DO NOTHING`,
      [followUp.taskId, subject, followUp.correlationId, followUp.outcome, followUp.completedAt, followUp.withinWindow],
    );
  }

  async recentFollowUps(manager: EntityManager, subject: string, limit: number): Promise<FollowUp[]> {
    await flushDeferred(manager, encounterFacts);
    const rows: Array<{ task_id: string; correlation_id: string; outcome: string; completed_at: Date; within_window: boolean }> = await manager.query(
      'SELECT * FROM pharmacist_follow_ups WHERE subject = $1 ORDER BY completed_at DESC LIMIT $2',
      [subject, limit],
    );
    return rows.map((row) => ({
      taskId: row.task_id,
      correlationId: row.correlation_id,
      outcome: row.outcome,
      completedAt: row.completed_at,
      withinWindow: row.within_window,
    }));
  }

  /** A40 merge: facts of the record merged away now belong to the surviving one. */
  async moveSubject(manager: EntityManager, fromSubject: string, toSubject: string): Promise<void> {
    await flushDeferred(manager, encounterFacts);
    await manager.query('UPDATE episodes SET subject = $2, updated_at = now() WHERE subject = $1', [fromSubject, toSubject]);
    await manager.query('UPDATE medication_reconciliations SET subject = $2 WHERE subject = $1', [fromSubject, toSubject]);
    await manager.query('UPDATE pharmacist_follow_ups SET subject = $2 WHERE subject = $1', [fromSubject, toSubject]);
    await manager.query(
      `INSERT INTO patients (subject, language, deceased_at)
       SELECT $2, language, deceased_at FROM patients WHERE subject = $1
       ON CONFLICT (subject) DO UPDATE SET language = COALESCE(patients.language, EXCLUDED.language),
         deceased_at = COALESCE(patients.deceased_at, EXCLUDED.deceased_at), updated_at = now()`,
      [fromSubject, toSubject],
    );
    await manager.query('DELETE FROM patients WHERE subject = $1', [fromSubject]);
  }
}

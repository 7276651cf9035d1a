import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { preparedQuery } from '@sc/persistence';
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
 * An encounter's facts, parameters $1-$10, upserted on its patient and episode in one statement. A
 * discharge always carries its time, so a discharged_at is what tells a discharge apart.
 */
const UPSERT_ENCOUNTER = `WITH patient AS (
    INSERT INTO patients (subject, language, deceased_at) VALUES ($2, $7, $10)
    ON CONFLICT (subject) DO UPDATE SET language = COALESCE(EXCLUDED.language, patients.language),
      deceased_at = COALESCE(patients.deceased_at, EXCLUDED.deceased_at), updated_at = now()
    -- Most events repeat what is known: the row is rewritten only when a fact changes.
    WHERE patients.language IS DISTINCT FROM COALESCE(EXCLUDED.language, patients.language)
      OR (patients.deceased_at IS NULL AND EXCLUDED.deceased_at IS NOT NULL)
  )
  INSERT INTO episodes (correlation_id, subject, facility, patient_class, admitted_at, diagnoses, discharged_at, disposition)
    VALUES ($1, $2, $3, $4, $5, $6::jsonb, $8, $9)
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
      updated_at = now()`;

/** The parameters $1-$10 of {@link UPSERT_ENCOUNTER}. */
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
   * after it, so a late copy of the cancelled discharge does not revive the episode.
   */
  async recordEncounter(manager: EntityManager, update: EncounterUpdate): Promise<void> {
    await preparedQuery(manager, 'referral:record-encounter', UPSERT_ENCOUNTER, ENCOUNTER_COLUMNS.map((column) => column(update)));
  }

  async recordCancellation(manager: EntityManager, correlationId: string, subject: string, kind: 'discharge' | 'admission', at: Date): Promise<void> {
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

  /** What a new referral needs of its episode and patient, in one round trip. */
  async episodeAndPatient(manager: EntityManager, correlationId: string, subject: string): Promise<{ episode?: EpisodeFacts; patient?: PatientFacts }> {
    const [row] = await preparedQuery<EpisodeAndPatientRow>(
      manager,
      'referral:episode-and-patient',
      `SELECT episode.*, patient.subject AS patient_subject, patient.language AS patient_language, patient.deceased_at AS patient_deceased_at
       FROM (SELECT 1) AS one LEFT JOIN episodes episode ON episode.correlation_id = $1 LEFT JOIN patients patient ON patient.subject = $2`,
      [correlationId, subject],
    );
    return {
      episode: row.correlation_id === null ? undefined : toEpisode(row as EpisodeRow),
      patient: row.patient_subject === null ? undefined : { subject: row.patient_subject, language: row.patient_language, deceasedAt: row.patient_deceased_at },
    };
  }

  /** The patient's episodes, latest first, without those whose admission the hospital cancelled. */
  async recentEpisodes(manager: EntityManager, subject: string, limit: number): Promise<EpisodeFacts[]> {
    const rows: EpisodeRow[] = await manager.query(
      `SELECT * FROM episodes WHERE subject = $1 AND admission_cancelled_at IS NULL
       ORDER BY COALESCE(discharged_at, admitted_at, updated_at) DESC LIMIT $2`,
      [subject, limit],
    );
    return rows.map(toEpisode);
  }

  async recordDeath(manager: EntityManager, subject: string, at: Date): Promise<void> {
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
    await manager.query(
      `INSERT INTO pharmacist_follow_ups (task_id, subject, correlation_id, outcome, completed_at, within_window) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (task_id) DO NOTHING`,
      [followUp.taskId, subject, followUp.correlationId, followUp.outcome, followUp.completedAt, followUp.withinWindow],
    );
  }

  async recentFollowUps(manager: EntityManager, subject: string, limit: number): Promise<FollowUp[]> {
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

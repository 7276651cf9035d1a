import type { EncounterEpisode } from './adt-ingest-events';
import { CARE_GAP_EVENT_VERSIONS, type CareGapEventPayloads } from './care-gap-events';
import { NOTIFIER_EVENT_VERSIONS, type NotifierEventPayloads } from './notifier-events';
import { REFERRAL_EVENT_VERSIONS, type ReferralEventPayloads } from './referral-events';

/**
 * The typed event catalogue: event type -> versioned payload. Plain data only, never ORM types.
 * Payloads carry the minimum their consumers need (no SSN, no address, no free-text notes).
 */

export interface PatientIdentifier {
  /** Identifier value, e.g. an MRN. */
  value: string;
  /** Assigning authority (CX.4), e.g. the hospital's MRN namespace. */
  authority: string | null;
  /** Identifier type code (CX.5), e.g. MR, MB, PI. SS is never carried. */
  type: string | null;
}

export interface EncounterPatient {
  identifiers: PatientIdentifier[];
  familyName: string | null;
  givenName: string | null;
  birthDate: string | null;
  sex: string | null;
  /** PID-15 as a canonical ISO 639-1 code (`es`), or as sent when no ISO 639 table names it (libs/language). */
  primaryLanguage: string | null;
  deceased: boolean;
  deathAt: string | null;
}

export interface EncounterVisit {
  facility: string;
  visitNumber: string | null;
  patientClass: string | null;
  location: { pointOfCare: string | null; room: string | null; bed: string | null; facility: string | null };
  attending: { id: string | null; familyName: string | null; givenName: string | null } | null;
  admittedAt: string | null;
  dischargedAt: string | null;
  /** PV1-36 (HL7 table 0112), e.g. 01 home, 03 skilled nursing facility, 20 expired. */
  dischargeDisposition: string | null;
  dischargedToLocation: string | null;
}

export interface EncounterDiagnosis {
  code: string;
  codingSystem: string | null;
  /** DG1-6: A admitting, W working, F final. */
  type: string | null;
}

export interface EncounterCoverage {
  planId: string | null;
  memberId: string | null;
}

/** Common payload of every ADT-derived encounter event. */
export interface EncounterEventData {
  /** HL7 trigger event, e.g. A03. */
  trigger: string;
  /** Sending facility (MSH-4) and control id (MSH-10) of the message this came from. */
  sendingFacility: string;
  messageControlId: string;
  patient: EncounterPatient;
  visit: EncounterVisit;
  diagnoses: EncounterDiagnosis[];
  coverage: EncounterCoverage[];
  episode?: EncounterEpisode;
}

export interface PatientMergedData extends EncounterEventData {
  /** Identifiers of the patient record that was merged away (MRG-1). */
  priorIdentifiers: PatientIdentifier[];
  /** Subject (patient reference) of the record merged away. */
  priorSubject: string;
}

/** discharge-call: phone the patient; chart-review: reconcile from records (no outreach consent); coordinate-with-facility: SNF or another hospital. */
export type TaskKind = 'discharge-call' | 'chart-review' | 'coordinate-with-facility' | 'admission-alert';

export interface PharmacyTaskCreatedData {
  taskId: string;
  kind: TaskKind;
  patientId: string;
  dueAt: string;
  priority: 'routine' | 'high' | 'urgent';
  assigneeId: string | null;
  teamId: string | null;
  overdueOnArrival: boolean;
}

export interface PharmacyTaskCancelledData {
  taskId: string;
  patientId: string;
  reason: string;
}

export interface PharmacyTaskStateData {
  taskId: string;
  patientId: string;
  kind: TaskKind;
  /** Who did it (user id) or `system` for timers. */
  actorId: string;
}

export type ContactOutcome = 'reached' | 'no-answer' | 'wrong-number' | 'declined' | 'left-message';

export interface PharmacyContactAttemptedData extends PharmacyTaskStateData {
  outcome: ContactOutcome;
  attemptedAt: string;
}

/** A coded medication line; free text never travels on events. */
export interface CodedMedication {
  system: 'RXNORM' | 'NDC';
  code: string;
}

export interface MedicationDiscrepancy {
  medication: CodedMedication;
  /** e.g. omission, duplication, dose-mismatch, interaction. */
  kind: 'omission' | 'duplication' | 'dose-mismatch' | 'interaction' | 'other';
}

export interface PharmacyMedicationReconciledData extends PharmacyTaskStateData {
  homeMedications: CodedMedication[];
  startedInHospital: CodedMedication[];
  stopped: CodedMedication[];
  changed: CodedMedication[];
  discrepancies: MedicationDiscrepancy[];
  reconciledAt: string;
}

export type NeedKind = 'missing-home-device' | 'diet-or-wellness' | 'specialist-symptoms' | 'in-home-care' | 'social-needs';

/** A need the pharmacist found that another team acts on (care-gap, referral). */
export interface PharmacyNeedFlaggedData extends PharmacyTaskStateData {
  flagId: string;
  need: NeedKind;
  /** A code that says what exactly: HCPCS for a device (A4670 BP monitor), ICD-10 for symptoms, or a program code. */
  code: string | null;
  codeSystem: 'HCPCS' | 'ICD10' | 'PROGRAM' | null;
}

export const TASK_OUTCOMES = ['reconciled', 'patient-declined', 'unreachable', 'coordinated-with-facility', 'not-needed'] as const;
export type TaskOutcome = (typeof TASK_OUTCOMES)[number];

export interface PharmacyTaskCompletedData extends PharmacyTaskStateData {
  outcome: TaskOutcome;
  completedAt: string;
  withinWindow: boolean;
}

export interface PharmacyTaskEscalatedData extends PharmacyTaskStateData {
  step: 'reminder' | 'team-lead' | 'breach';
  dueAt: string;
}

export interface PharmacyRefillHoldData {
  holdId: string;
  patientId: string;
  reason: 'inpatient' | 'admission-cancelled' | 'discharged' | 'expired';
}

/** A rostered patient died: outreach stops and the team is told. */
export interface PharmacyPatientExpiredData {
  patientId: string;
  closedTaskIds: string[];
}

/** An enrollment system's change to the specialty-pharmacy roster (same shape as a roster row). */
export interface RosterEnrollmentChangedData {
  action: 'upsert' | 'disenroll';
  patient: Record<string, unknown>;
}

export type NotificationUrgency = 'routine' | 'urgent';

/** A request to tell a person about their work; the notifier turns it into deliveries. */
export interface NotificationRequestedData {
  /** Stable id: the same id is delivered at most once per channel and recipient. */
  notificationId: string;
  recipientId: string | null;
  teamId: string | null;
  title: string;
  urgency: NotificationUrgency;
  dueAt: string | null;
  /** Link to the item in the owning service, e.g. /v1/tasks/<id>. */
  link: string;
  itemType: string;
  itemId: string;
  /**
   * Urgent requests only: if nobody has acknowledged the notification this many seconds after it
   * was accepted, the notifier escalates once (see `escalationRecipientId`, `escalateToTeamLead`;
   * with neither, it re-notifies the original recipient).
   */
  escalateAfterSeconds?: number | null;
  /** A person (user id) who hears about the unacknowledged notification. */
  escalationRecipientId?: string | null;
  /** Escalate to the team leads of `teamId` (else of the recipient's teams); supervisors if a team has no lead. */
  escalateToTeamLead?: boolean;
}


/** Every event type and its payload; each service's own events live in its `<service>-events.ts`. */
export interface EventPayloads extends CareGapEventPayloads, ReferralEventPayloads, NotifierEventPayloads {
  'encounter.admitted': EncounterEventData;
  'encounter.transferred': EncounterEventData;
  'encounter.discharged': EncounterEventData;
  'encounter.registered': EncounterEventData;
  'encounter.preadmitted': EncounterEventData;
  'encounter.class-changed': EncounterEventData;
  'encounter.updated': EncounterEventData;
  'encounter.admission-cancelled': EncounterEventData;
  'encounter.transfer-cancelled': EncounterEventData;
  'encounter.discharge-cancelled': EncounterEventData;
  'patient.merged': PatientMergedData;
  'pharmacy.task-created': PharmacyTaskCreatedData;
  'pharmacy.task-cancelled': PharmacyTaskCancelledData;
  'pharmacy.task-acknowledged': PharmacyTaskStateData;
  'pharmacy.contact-attempted': PharmacyContactAttemptedData;
  'pharmacy.medication-reconciled': PharmacyMedicationReconciledData;
  'pharmacy.need-flagged': PharmacyNeedFlaggedData;
  'pharmacy.task-completed': PharmacyTaskCompletedData;
  'pharmacy.task-escalated': PharmacyTaskEscalatedData;
  'pharmacy.refill-hold-placed': PharmacyRefillHoldData;
  'pharmacy.refill-hold-released': PharmacyRefillHoldData;
  'pharmacy.patient-expired': PharmacyPatientExpiredData;
  'roster.enrollment-changed': RosterEnrollmentChangedData;
  'notification.requested': NotificationRequestedData;
}

export type EventType = keyof EventPayloads;

/** Current version of each event type's payload; bump on a breaking change and keep the old reader. */
export const EVENT_VERSIONS: { readonly [T in EventType]: number } = {
  ...CARE_GAP_EVENT_VERSIONS,
  ...REFERRAL_EVENT_VERSIONS,
  ...NOTIFIER_EVENT_VERSIONS,
  'encounter.admitted': 1,
  'encounter.transferred': 1,
  'encounter.discharged': 1,
  'encounter.registered': 1,
  'encounter.preadmitted': 1,
  'encounter.class-changed': 1,
  'encounter.updated': 1,
  'encounter.admission-cancelled': 1,
  'encounter.transfer-cancelled': 1,
  'encounter.discharge-cancelled': 1,
  'patient.merged': 1,
  'pharmacy.task-created': 1,
  'pharmacy.task-cancelled': 1,
  'pharmacy.task-acknowledged': 1,
  'pharmacy.contact-attempted': 1,
  'pharmacy.medication-reconciled': 1,
  'pharmacy.need-flagged': 1,
  'pharmacy.task-completed': 1,
  'pharmacy.task-escalated': 1,
  'pharmacy.refill-hold-placed': 1,
  'pharmacy.refill-hold-released': 1,
  'pharmacy.patient-expired': 1,
  'roster.enrollment-changed': 1,
  'notification.requested': 1,
};

export const EVENT_TYPES = Object.keys(EVENT_VERSIONS) as EventType[];

export function isEventType(value: string): value is EventType {
  return Object.prototype.hasOwnProperty.call(EVENT_VERSIONS, value);
}

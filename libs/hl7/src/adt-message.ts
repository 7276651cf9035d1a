/** The ADT trigger events we accept (HL7 table 0003). */
export const SUPPORTED_ADT_EVENTS = ['A01', 'A02', 'A03', 'A04', 'A05', 'A06', 'A07', 'A08', 'A11', 'A12', 'A13', 'A40'] as const;
export type AdtTriggerEvent = (typeof SUPPORTED_ADT_EVENTS)[number];

/** MSH-11.1 (table 0103): production, training, debugging. */
export type ProcessingId = 'P' | 'T' | 'D';

/** MSH-15 / MSH-16 (table 0155): always, never, on error/reject only, on success only. */
export type AcknowledgmentCondition = 'AL' | 'NE' | 'ER' | 'SU';

/** Which field {@link AdtMessage.clinicalTime} was taken from. */
export type ClinicalTimeSource = 'PV1-45' | 'EVN-6' | 'EVN-2' | 'MSH-7';

/** A CX identifier. SSNs (type `SS`) are never included. */
export interface PatientIdentifier {
  /** CX.1 */
  id: string;
  /** CX.4.1, the assigning authority's namespace id (CX.4.2 when that is empty). */
  assigningAuthority?: string;
  /** CX.5 (table 0203), e.g. `MR`, `MB`. */
  identifierType?: string;
}

export interface PersonName {
  family?: string;
  given?: string;
  middle?: string;
}

export interface PostalAddress {
  street?: string;
  otherDesignation?: string;
  city?: string;
  state?: string;
  zip?: string;
  country?: string;
}

export interface AdtPatient {
  /** Every PID-3 repetition except SSNs, in message order. */
  identifiers: PatientIdentifier[];
  /** PID-5: the legal name (XPN.7 = L) when one is marked, else the first. */
  name?: PersonName;
  /** PID-7 as a calendar date (`YYYY-MM-DD`, or `YYYY-MM` / `YYYY` when sent with less precision). */
  birthDate?: string;
  /** PID-8 (table 0001). */
  sex?: string;
  /** PID-15 (CE/CWE, table 0296) as `code^text^system^alt code^alt text^alt system`, trailing empties dropped. */
  primaryLanguage?: string;
  /** PID-11: the home address (XAD.7 = H) when one is marked, else the first. */
  address?: PostalAddress;
  /** PID-13, first repetition: XTN.1 when sent, else `+country area local xext` from XTN.5-8. */
  phone?: string;
  /** PID-29, ISO-8601 UTC. */
  deathDateTime?: string;
  /** PID-30 */
  deathIndicator?: boolean;
  /** Whether the message carried an SSN (PID-19 or a PID-3 identifier of type SS). The value is never read. */
  ssnPresent: boolean;
}

export interface PointOfCare {
  pointOfCare?: string;
  room?: string;
  bed?: string;
  facility?: string;
}

export interface Practitioner {
  id?: string;
  family?: string;
  given?: string;
}

export interface AdtVisit {
  /** PV1-2 (table 0004), e.g. `I`, `O`, `E`. */
  patientClass?: string;
  /** PV1-3 */
  location?: PointOfCare;
  /** PV1-7, first repetition. */
  attending?: Practitioner;
  /** PV1-19.1 */
  visitNumber?: string;
  /** PV1-44, ISO-8601 UTC. */
  admitTime?: string;
  /** PV1-45, ISO-8601 UTC. */
  dischargeTime?: string;
  /** PV1-36 (table 0112). */
  dischargeDisposition?: string;
  /** PV1-37.1 */
  dischargedToLocation?: string;
}

export interface AdtDiagnosis {
  /** DG1-3.1 */
  code?: string;
  /** DG1-3.2, else DG1-4 (the pre-v2.5 description field). */
  text?: string;
  /** DG1-3.3, e.g. `I10`. */
  codingSystem?: string;
  /** DG1-6 (table 0052): A admitting, W working, F final. */
  type?: string;
}

export interface AdtInsurance {
  /** IN1-2.1 */
  planId?: string;
  /** IN1-2.2 */
  planName?: string;
  /** IN1-3.1 */
  companyId?: string;
  /** IN1-4.1 */
  companyName?: string;
  /** IN1-36 policy number, else IN1-49.1 insured's ID. */
  memberId?: string;
}

export interface AdtAllergy {
  /** AL1-2.1 (table 0127), e.g. `DA` drug allergy. */
  type?: string;
  /** AL1-3.1 */
  code?: string;
  /** AL1-3.2 */
  text?: string;
  /** AL1-4.1 (table 0128). */
  severity?: string;
  /** AL1-5, every repetition. */
  reactions: string[];
}

/** A40: the identifiers of the record merged into the patient in PID. */
export interface AdtMerge {
  /** Every MRG-1 repetition except SSNs. */
  priorIdentifiers: PatientIdentifier[];
  /** MRG-5.1 */
  priorVisitNumber?: string;
}

/**
 * The parts of an ADT message this system uses, as a plain object (no HL7 types, JSON-safe).
 * Times are ISO-8601 UTC strings with milliseconds.
 */
export interface AdtMessage {
  messageType: 'ADT';
  /** MSH-9.2, else EVN-1. */
  triggerEvent: AdtTriggerEvent;
  /** MSH-9.3, e.g. `ADT_A03`. */
  structure?: string;
  /** MSH-10 */
  controlId: string;
  /** MSH-11.1 */
  processingId: ProcessingId;
  /** MSH-12.1 */
  version: string;
  /** MSH-3.1 (MSH-3.2 when empty). */
  sendingApplication?: string;
  /** MSH-4.1 (MSH-4.2 when empty); the key of `facilityTimeZones`. */
  sendingFacility?: string;
  receivingApplication?: string;
  receivingFacility?: string;
  /** MSH-7 */
  messageTime: string;
  /** MSH-15 */
  acceptAckType?: AcknowledgmentCondition;
  /** MSH-16 */
  applicationAckType?: AcknowledgmentCondition;
  /** EVN-2 */
  eventRecordedTime?: string;
  /** EVN-6 */
  eventOccurredTime?: string;
  /**
   * When it happened clinically: for A03 PV1-45 (discharge time), then EVN-6, EVN-2, MSH-7;
   * for other events EVN-6, EVN-2, MSH-7.
   */
  clinicalTime: string;
  clinicalTimeSource: ClinicalTimeSource;
  /** The IANA zone used for timestamps sent without an offset. */
  timeZone: string;
  patient: AdtPatient;
  /** Absent only for A40, where PV1 is optional. */
  visit?: AdtVisit;
  diagnoses: AdtDiagnosis[];
  insurance: AdtInsurance[];
  allergies: AdtAllergy[];
  /** A40 only. */
  merge?: AdtMerge;
}

import { createHmac } from 'node:crypto';
import {
  createEnvelope,
  type EncounterEpisode,
  type EncounterEventData,
  type EventEnvelope,
  type EventType,
  type PatientIdentifier,
} from '@sc/contracts';
import type { AdtMessage, AdtTriggerEvent, PatientIdentifier as Hl7Identifier } from '@sc/hl7';
import { languageCode } from '@sc/language';

export const SOURCE = 'adt-ingest';

export type EncounterEventType = Extract<EventType, `encounter.${string}` | 'patient.merged'>;

const EVENT_FOR_TRIGGER: { readonly [T in AdtTriggerEvent]: EncounterEventType } = {
  A01: 'encounter.admitted',
  A02: 'encounter.transferred',
  A03: 'encounter.discharged',
  A04: 'encounter.registered',
  A05: 'encounter.preadmitted',
  A06: 'encounter.class-changed',
  A07: 'encounter.class-changed',
  A08: 'encounter.updated',
  A11: 'encounter.admission-cancelled',
  A12: 'encounter.transfer-cancelled',
  A13: 'encounter.discharge-cancelled',
  A40: 'patient.merged',
};

export function eventTypeFor(trigger: AdtTriggerEvent): EncounterEventType {
  return EVENT_FOR_TRIGGER[trigger];
}

/** The identifier that names the patient: the first MRN (type MR), else the first identifier. */
function primaryIdentifier(identifiers: readonly Hl7Identifier[]): Hl7Identifier | undefined {
  return identifiers.find((identifier) => identifier.identifierType === 'MR') ?? identifiers[0];
}

/**
 * A pseudonymous, stable patient reference (HMAC of the primary identifier): the event subject
 * and Kafka key. It keeps one patient's events on one partition without putting an MRN in keys,
 * logs or metrics.
 */
export function patientReference(identifiers: readonly Hl7Identifier[], sendingFacility: string, key: string): string {
  const primary = primaryIdentifier(identifiers);
  const namespace = primary?.assigningAuthority ?? sendingFacility;
  const digest = createHmac('sha256', key).update(`${namespace}|${primary?.id ?? ''}`).digest('hex');
  return `pt-${digest.slice(0, 32)}`;
}

/** The encounter episode: sending facility + visit number, the key hospitals themselves use. */
export function episodeKey(adt: AdtMessage, sendingFacility: string): string {
  const visitNumber = adt.visit?.visitNumber ?? adt.merge?.priorVisitNumber;
  return visitNumber ? `enc:${sendingFacility}:${visitNumber}` : `msg:${sendingFacility}:${adt.controlId}`;
}

const toContractIdentifier = (identifier: Hl7Identifier): PatientIdentifier => ({
  value: identifier.id,
  authority: identifier.assigningAuthority ?? null,
  type: identifier.identifierType ?? null,
});

/** The minimum consumers need: identifiers and demographics to match, visit, coded diagnoses, coverage. No SSN, address, phone or free text. */
export function encounterData(adt: AdtMessage, sendingFacility: string): EncounterEventData {
  const visit = adt.visit;
  return {
    trigger: adt.triggerEvent,
    sendingFacility,
    messageControlId: adt.controlId,
    patient: {
      identifiers: adt.patient.identifiers.map(toContractIdentifier),
      familyName: adt.patient.name?.family ?? null,
      givenName: adt.patient.name?.given ?? null,
      birthDate: adt.patient.birthDate ?? null,
      sex: adt.patient.sex ?? null,
      // Canonical (ISO 639-1) whatever form PID-15 came in; a value no table names is kept as sent.
      primaryLanguage: languageCode(adt.patient.primaryLanguage),
      deceased: adt.patient.deathIndicator === true || adt.patient.deathDateTime !== undefined,
      deathAt: adt.patient.deathDateTime ?? null,
    },
    visit: {
      facility: sendingFacility,
      visitNumber: visit?.visitNumber ?? null,
      patientClass: visit?.patientClass ?? null,
      location: {
        pointOfCare: visit?.location?.pointOfCare ?? null,
        room: visit?.location?.room ?? null,
        bed: visit?.location?.bed ?? null,
        facility: visit?.location?.facility ?? null,
      },
      attending: visit?.attending
        ? { id: visit.attending.id ?? null, familyName: visit.attending.family ?? null, givenName: visit.attending.given ?? null }
        : null,
      admittedAt: visit?.admitTime ?? null,
      dischargedAt: visit?.dischargeTime ?? null,
      dischargeDisposition: visit?.dischargeDisposition ?? null,
      dischargedToLocation: visit?.dischargedToLocation ?? null,
    },
    diagnoses: adt.diagnoses
      .filter((diagnosis) => diagnosis.code !== undefined)
      .map((diagnosis) => ({ code: diagnosis.code as string, codingSystem: diagnosis.codingSystem ?? null, type: diagnosis.type ?? null })),
    coverage: adt.insurance.map((insurance) => ({ planId: insurance.planId ?? null, memberId: insurance.memberId ?? null })),
  };
}

export interface EncounterEventContext {
  readonly id: string;
  /** The patient reference after any merge the encounter went through. */
  readonly subject: string;
  readonly sendingFacility: string;
  readonly episode?: EncounterEpisode;
  /** A40: the reference of the record merged away. */
  readonly priorSubject?: string;
}

/** One ADT message -> one typed encounter event in the standard envelope, clinical time as occurredAt. */
export function encounterEnvelope(adt: AdtMessage, context: EncounterEventContext): EventEnvelope {
  const { sendingFacility, subject } = context;
  const envelopeContext = { id: context.id, source: SOURCE, subject, occurredAt: adt.clinicalTime, correlationId: episodeKey(adt, sendingFacility) };
  const data: EncounterEventData = { ...encounterData(adt, sendingFacility), ...(context.episode ? { episode: context.episode } : {}) };
  const type = eventTypeFor(adt.triggerEvent);
  return type === 'patient.merged'
    ? createEnvelope(
        'patient.merged',
        { ...data, priorIdentifiers: (adt.merge?.priorIdentifiers ?? []).map(toContractIdentifier), priorSubject: context.priorSubject ?? subject },
        envelopeContext,
      )
    : createEnvelope(type, data, envelopeContext);
}

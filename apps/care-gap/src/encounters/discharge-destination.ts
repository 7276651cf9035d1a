import type { EncounterEventData, EnvelopeOf } from '@sc/contracts';
import type { DischargeRecord } from '../context/context.repository';
import { ICD10_CODE } from '../rules/code-sets';

/** PV1-36 (HL7 table 0112 / UB-04 patient status): expired, including the hospice "expired" codes. */
const EXPIRED = new Set(['20', '40', '41', '42']);

/**
 * PV1-36 codes for a stay in a facility rather than at home: another hospital (02, 43, 66), a
 * nursing or intermediate-care facility (03, 04, 61, 64), another institution (05, 70), a
 * rehabilitation, long-term-care or psychiatric hospital (62, 63, 65) and a hospice facility (51).
 */
const FACILITY = new Set(['02', '03', '04', '05', '43', '51', '61', '62', '63', '64', '65', '66', '70']);

export interface DischargeDestination {
  deceased: boolean;
  atFacility: boolean;
}

/** Where the patient went: home-device gaps make sense only for a living patient at home. */
export function dischargeDestination(data: EncounterEventData): DischargeDestination {
  const disposition = data.visit.dischargeDisposition?.trim() ?? null;
  return {
    deceased: data.patient.deceased || (disposition !== null && EXPIRED.has(disposition)),
    atFacility: disposition !== null && FACILITY.has(disposition),
  };
}

/** The first plan on the encounter's coverage (IN1), if any. */
export function planOf(data: EncounterEventData): string | null {
  return data.coverage.find((coverage) => coverage.planId !== null && coverage.planId.trim() !== '')?.planId?.trim() ?? null;
}

/** HL7 table 0396 names ICD-10 "I10" (and sites send I10C, ICD10, ICD-10-CM); ICD-9 codes (I9, I9C) never match the rules. */
const ICD10_SYSTEMS = new Set(['I10', 'I10C', 'ICD10', 'ICD-10', 'ICD10CM', 'ICD-10-CM']);

/** The discharge diagnoses the rules can read: ICD-10-CM codes (a missing coding system is taken as ICD-10 if the code has its shape). */
export function icd10Diagnoses(data: EncounterEventData): string[] {
  return data.diagnoses
    .filter((diagnosis) => diagnosis.codingSystem === null || ICD10_SYSTEMS.has(diagnosis.codingSystem.trim().toUpperCase()))
    .map((diagnosis) => diagnosis.code.trim().toUpperCase())
    .filter((code) => ICD10_CODE.test(code));
}

/** What a discharge event tells this service about its patient. */
export function dischargeRecordOf(event: EnvelopeOf<'encounter.discharged'>): DischargeRecord {
  const destination = dischargeDestination(event.data);
  return {
    eventId: event.id,
    subject: event.subject,
    planId: planOf(event.data),
    deceased: destination.deceased,
    atFacility: destination.atFacility,
    disposition: event.data.visit.dischargeDisposition,
    conditions: icd10Diagnoses(event.data).map((code) => ({ code, codingSystem: 'ICD10', status: 'active', source: 'discharge', sourceEventId: event.id })),
  };
}

import { createEnvelope, type EncounterEventData, type EventEnvelope, type EventPayloads } from '@sc/contracts';

/** Encounter events as adt-ingest would publish them, for testing consumers in isolation. */
export interface EncounterOptions {
  mrn: string;
  visit: string;
  familyName?: string;
  givenName?: string;
  birthDate?: string;
  sex?: string;
  dischargedAt?: string;
  disposition?: string | null;
  deceased?: boolean;
  /** PID-15 as the hospital sent it. */
  language?: string;
  identifiers?: EncounterEventData['patient']['identifiers'];
}

export function encounterData(options: EncounterOptions, trigger: string): EncounterEventData {
  return {
    trigger,
    sendingFacility: 'LGH',
    messageControlId: `${options.visit}-${trigger}`,
    patient: {
      identifiers: options.identifiers ?? [{ value: options.mrn, authority: 'LGH', type: 'MR' }],
      familyName: options.familyName ?? 'TESTER',
      givenName: options.givenName ?? 'PAT',
      birthDate: options.birthDate ?? '1968-04-12',
      sex: options.sex ?? 'M',
      primaryLanguage: options.language ?? null,
      deceased: options.deceased ?? false,
      deathAt: null,
    },
    visit: {
      facility: 'LGH',
      visitNumber: options.visit,
      patientClass: 'I',
      location: { pointOfCare: 'CARD', room: '412', bed: 'B', facility: 'LGH' },
      attending: null,
      admittedAt: '2026-11-17T14:30:00.000Z',
      dischargedAt: trigger === 'A03' ? (options.dischargedAt ?? new Date().toISOString()) : null,
      dischargeDisposition: trigger === 'A03' ? (options.disposition === undefined ? '01' : options.disposition) : null,
      dischargedToLocation: null,
    },
    diagnoses: [{ code: 'I25.10', codingSystem: 'I10', type: 'F' }],
    coverage: [{ planId: 'NSHP-GOLD', memberId: 'M1' }],
  };
}

type EncounterType =
  | 'encounter.admitted'
  | 'encounter.discharged'
  | 'encounter.discharge-cancelled'
  | 'encounter.admission-cancelled'
  | 'encounter.transferred'
  | 'encounter.updated';

const TRIGGERS: Record<EncounterType, string> = {
  'encounter.admitted': 'A01',
  'encounter.discharged': 'A03',
  'encounter.discharge-cancelled': 'A13',
  'encounter.admission-cancelled': 'A11',
  'encounter.transferred': 'A02',
  'encounter.updated': 'A08',
};

export function encounterEvent<T extends EncounterType>(type: T, options: EncounterOptions): EventEnvelope<T> {
  const data = encounterData(options, TRIGGERS[type]) as EventPayloads[T];
  const occurredAt = type === 'encounter.discharged' ? (options.dischargedAt ?? new Date().toISOString()) : new Date().toISOString();
  return createEnvelope(type, data, { source: 'adt-ingest', subject: `pt-${options.mrn}`, occurredAt, correlationId: `enc:LGH:${options.visit}` });
}

/** A40: the record with `priorMrn` was merged into the one with `mrn`. */
export function mergeEvent(options: EncounterOptions & { priorMrn: string }): EventEnvelope<'patient.merged'> {
  return createEnvelope(
    'patient.merged',
    { ...encounterData(options, 'A40'), priorIdentifiers: [{ value: options.priorMrn, authority: 'LGH', type: 'MR' }], priorSubject: `pt-${options.priorMrn}` },
    { source: 'adt-ingest', subject: `pt-${options.mrn}`, occurredAt: new Date().toISOString(), correlationId: `enc:LGH:${options.visit}` },
  );
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { EncounterEventData } from '@sc/contracts';
import { Hl7ErrorCode } from '@sc/hl7';
import { adt, segment } from './adt-builder';

/**
 * The fixture corpus: vendor-style messages (files under hl7/, synthetic patients) and messages
 * built for one rule each, with what ingest must make of them. Used by the unit tests (parsing
 * and mapping) and the end-to-end tests (the same bytes through the running service).
 */

/** Zones for the feeds in the corpus that send local times without an offset. */
export const CORPUS_TIME_ZONES: Readonly<Record<string, string>> = { MMC: 'America/Chicago', SJH: 'America/New_York' };

type DeepPartial<T> = { [K in keyof T]?: T[K] extends Array<infer U> ? Array<DeepPartial<U>> : T[K] extends object | null ? DeepPartial<T[K]> : T[K] };

export interface AcceptedCase {
  readonly name: string;
  readonly bytes: Buffer;
  readonly accepted: {
    readonly controlId: string;
    readonly facility: string;
    readonly eventType: string;
    /** Clinical time, ISO UTC. */
    readonly occurredAt: string;
    readonly correlationId: string;
    readonly data?: DeepPartial<EncounterEventData> & { priorIdentifiers?: Array<{ value: string }> };
    /** Text that must never leave ingest (SSNs). */
    readonly secret?: string;
  };
}

export interface RefusedCase {
  readonly name: string;
  readonly bytes: Buffer;
  readonly refused: {
    /** MSA-1 in original mode. */
    readonly ack: 'AE' | 'AR';
    readonly code: Hl7ErrorCode;
    /** ERR-2: segment ID and field, when the error has a location. */
    readonly segment?: string;
    readonly field?: number;
  };
}

export type CorpusCase = AcceptedCase | RefusedCase;

const file = (name: string): Buffer => readFileSync(path.join(__dirname, 'hl7', name));
const text = (message: string): Buffer => Buffer.from(message, 'utf8');

export const VENDOR_CASES: readonly AcceptedCase[] = [
  {
    name: 'Epic-style A01 (v2.5.1, CR, SSN in PID-19 and as an SS identifier, AL1, IN1, Z-segment)',
    bytes: file('epic-a01-admit.hl7'),
    accepted: {
      controlId: 'RVH20261103001',
      facility: 'RVH',
      eventType: 'encounter.admitted',
      occurredAt: '2026-11-03T13:00:00.000Z',
      correlationId: 'enc:RVH:RVH-V5001',
      secret: '555-12-3456',
      data: {
        trigger: 'A01',
        patient: {
          identifiers: [
            { value: 'E1001', authority: 'RVH', type: 'MR' },
            { value: 'MBR-22-9', authority: 'ACMEHP', type: 'MB' },
          ],
          familyName: 'OKAFOR',
          givenName: 'ADAEZE',
          birthDate: '1974-02-19',
          sex: 'F',
          primaryLanguage: 'ig',
          deceased: false,
        },
        visit: { visitNumber: 'RVH-V5001', patientClass: 'I', admittedAt: '2026-11-03T13:00:00.000Z', location: { pointOfCare: '5W', room: '512', bed: 'A', facility: 'RVH' } },
        diagnoses: [{ code: 'E11.9', codingSystem: 'I10', type: 'A' }],
        coverage: [{ planId: 'ACME-SILVER', memberId: 'MBR-22-9' }],
      },
    },
  },
  {
    name: 'Epic-style A03 (PV1-36/37, PV1-45 with fractional seconds and an offset, three ICD-10 diagnoses)',
    bytes: file('epic-a03-discharge.hl7'),
    accepted: {
      controlId: 'RVH20261106007',
      facility: 'RVH',
      eventType: 'encounter.discharged',
      occurredAt: '2026-11-06T21:17:32.123Z',
      correlationId: 'enc:RVH:RVH-V5001',
      secret: '555-12-3456',
      data: {
        visit: { dischargedAt: '2026-11-06T21:17:32.123Z', dischargeDisposition: '03', dischargedToLocation: 'SNF-ELMWOOD', admittedAt: '2026-11-03T13:00:00.000Z' },
        diagnoses: [
          { code: 'E11.9', codingSystem: 'I10', type: 'F' },
          { code: 'I50.9', codingSystem: 'I10', type: 'F' },
          { code: 'N18.3', codingSystem: 'I10', type: 'F' },
        ],
      },
    },
  },
  {
    name: 'Cerner-style A03 (v2.3, LF endings, no offsets: facility zone, OID authority, IN1-49, DG1-4, Z-segment)',
    bytes: file('cerner-a03-discharge-lf.hl7'),
    accepted: {
      controlId: 'MMC-88213',
      facility: 'MMC',
      eventType: 'encounter.discharged',
      // 21:45 in Chicago in July (CDT, UTC-5).
      occurredAt: '2026-07-13T02:45:00.000Z',
      correlationId: 'enc:MMC:MMC-V-1177',
      data: {
        patient: { identifiers: [{ value: '7730012', authority: '2.16.840.1.113883.3.9999', type: 'MR' }], birthDate: '1956-11', primaryLanguage: 'vi' },
        visit: { admittedAt: '2026-07-09T18:30:00.000Z', dischargedAt: '2026-07-13T02:45:00.000Z', dischargeDisposition: '01' },
        diagnoses: [{ code: 'J18.9', codingSystem: null }],
        coverage: [{ planId: 'MEDICARE-A', memberId: '1EG4-TE5-MK72' }],
      },
    },
  },
  {
    name: 'Meditech-style A08 (v2.4, CRLF, custom delimiters # $ * ! @, 8859/1 bytes, no DG1/IN1)',
    bytes: file('meditech-a08-update-crlf-latin1.hl7'),
    accepted: {
      controlId: 'SJH.2026.0819.45',
      facility: 'SJH',
      eventType: 'encounter.updated',
      // 10:45 in New York in August (EDT, UTC-4), from EVN-2.
      occurredAt: '2026-08-19T14:45:00.000Z',
      correlationId: 'enc:SJH:SJH-V-30021',
      data: {
        patient: {
          identifiers: [
            { value: 'M000441', authority: 'SJH', type: 'MR' },
            { value: '998877', authority: 'SJHB', type: 'PI' },
          ],
          familyName: 'LEFÈVRE',
          givenName: 'RENÉE',
        },
        visit: { patientClass: 'O', admittedAt: '2026-08-19T13:00:00.000Z' },
        diagnoses: [],
        coverage: [],
      },
    },
  },
  {
    name: 'v2.8 A08 (truncation character in MSH-2, escapes, repetitions, PID-29/30 death, minute precision)',
    bytes: file('v28-a08-death-escapes.hl7'),
    accepted: {
      controlId: 'LGH28-0001',
      facility: 'LGH',
      eventType: 'encounter.updated',
      occurredAt: '2026-12-01T09:30:00.000Z',
      correlationId: 'enc:LGH:LGH-V-77012',
      data: {
        patient: {
          identifiers: [
            { value: 'Z00917', authority: 'LGH', type: 'MR' },
            { value: 'Z00917-B', authority: 'LGHB', type: 'PI' },
          ],
          familyName: 'O&BRIEN',
          givenName: 'MARY|ANNE',
          deceased: true,
          deathAt: '2026-12-01T09:15:00.000Z',
        },
        visit: { dischargeDisposition: '20' },
      },
    },
  },
  {
    name: 'Epic-style A40 merge (MRG-1, MRG-5, no PV1)',
    bytes: file('epic-a40-merge.hl7'),
    accepted: {
      controlId: 'RVH20261107002',
      facility: 'RVH',
      eventType: 'patient.merged',
      occurredAt: '2026-11-07T16:00:00.000Z',
      correlationId: 'enc:RVH:RVH-V4999',
      data: { patient: { identifiers: [{ value: 'E1001', authority: 'RVH', type: 'MR' }] }, priorIdentifiers: [{ value: 'E0999' }] },
    },
  },
];

/** One message per supported trigger, each with its own visit so the encounter state machine applies every one. */
export const TRIGGER_CASES: readonly AcceptedCase[] = (
  [
    ['A01', 'encounter.admitted'],
    ['A02', 'encounter.transferred'],
    ['A03', 'encounter.discharged'],
    ['A04', 'encounter.registered'],
    ['A05', 'encounter.preadmitted'],
    ['A06', 'encounter.class-changed'],
    ['A07', 'encounter.class-changed'],
    ['A08', 'encounter.updated'],
  ] as const
).map(([trigger, eventType], index) => ({
  name: `${trigger} -> ${eventType}`,
  bytes: text(adt({ trigger, controlId: `TRG-${trigger}`, mrn: `TRG${index}`, visit: `V-TRG-${trigger}`, version: ['2.3', '2.4', '2.5', '2.5.1', '2.6', '2.7', '2.7.1', '2.8'][index] })),
  accepted: {
    controlId: `TRG-${trigger}`,
    facility: 'LGH',
    eventType,
    occurredAt: '2026-11-20T20:25:00.000Z',
    correlationId: `enc:LGH:V-TRG-${trigger}`,
    data: { trigger },
  },
}));

/** Clinical time: PV1-45 for A03, else EVN-6, then EVN-2, then MSH-7; every DTM precision and offset. */
export const TIME_CASES: ReadonlyArray<{ readonly name: string; readonly bytes: Buffer; readonly occurredAt: string }> = [
  { name: 'A03 takes PV1-45 over EVN-6', bytes: text(adt({ trigger: 'A03', controlId: 'TM-1', visit: 'V-TM-1', dischargeTime: '20261120150000-0600' })), occurredAt: '2026-11-20T21:00:00.000Z' },
  { name: 'A01 ignores PV1-45 and takes EVN-6', bytes: text(adt({ trigger: 'A01', controlId: 'TM-2', visit: 'V-TM-2', dischargeTime: '20261120150000-0600' })), occurredAt: '2026-11-20T20:25:00.000Z' },
  {
    name: 'EVN-2 when EVN-6 is empty',
    bytes: text(adt({ trigger: 'A08', controlId: 'TM-3', visit: 'V-TM-3', eventTime: '' })),
    occurredAt: '2026-11-20T20:31:00.000Z',
  },
  { name: 'MSH-7 when there is no EVN', bytes: text(adt({ trigger: 'A08', controlId: 'TM-4', visit: 'V-TM-4', without: ['EVN'], msh: { 7: '20261120170000+0100' } })), occurredAt: '2026-11-20T16:00:00.000Z' },
  { name: 'year precision', bytes: text(adt({ trigger: 'A08', controlId: 'TM-5', visit: 'V-TM-5', eventTime: '2026' })), occurredAt: '2026-01-01T00:00:00.000Z' },
  { name: 'month precision', bytes: text(adt({ trigger: 'A08', controlId: 'TM-6', visit: 'V-TM-6', eventTime: '202603' })), occurredAt: '2026-03-01T00:00:00.000Z' },
  { name: 'day precision', bytes: text(adt({ trigger: 'A08', controlId: 'TM-7', visit: 'V-TM-7', eventTime: '20260315' })), occurredAt: '2026-03-15T00:00:00.000Z' },
  { name: 'hour precision with offset', bytes: text(adt({ trigger: 'A08', controlId: 'TM-8', visit: 'V-TM-8', eventTime: '2026031514+0530' })), occurredAt: '2026-03-15T08:30:00.000Z' },
  { name: 'one fractional digit', bytes: text(adt({ trigger: 'A08', controlId: 'TM-9', visit: 'V-TM-9', eventTime: '20260315143012.5-0000' })), occurredAt: '2026-03-15T14:30:12.500Z' },
  { name: 'four fractional digits (truncated to ms)', bytes: text(adt({ trigger: 'A08', controlId: 'TM-10', visit: 'V-TM-10', eventTime: '20260315143012.9876+0000' })), occurredAt: '2026-03-15T14:30:12.987Z' },
  {
    name: 'no offset: the facility zone (Chicago, on the day DST ends, first 01:30)',
    bytes: text(adt({ trigger: 'A08', controlId: 'TM-11', visit: 'V-TM-11', facility: 'MMC', eventTime: '202611010130' })),
    occurredAt: '2026-11-01T06:30:00.000Z',
  },
  {
    name: 'no offset and no zone configured: the default zone (UTC)',
    bytes: text(adt({ trigger: 'A08', controlId: 'TM-12', visit: 'V-TM-12', facility: 'NOZONE', eventTime: '202611010130' })),
    occurredAt: '2026-11-01T01:30:00.000Z',
  },
];

export const REFUSED_CASES: readonly RefusedCase[] = [
  { name: 'PID-3 missing', bytes: text(adt({ trigger: 'A01', controlId: 'ERR-1', pid: { 3: '' } })), refused: { ack: 'AE', code: Hl7ErrorCode.RequiredFieldMissing, segment: 'PID', field: 3 } },
  {
    name: 'PID-3 holds only an SSN',
    bytes: text(adt({ trigger: 'A01', controlId: 'ERR-2', pid: { 3: '123-45-6789^^^SSA^SS' } })),
    refused: { ack: 'AE', code: Hl7ErrorCode.RequiredFieldMissing, segment: 'PID', field: 3 },
  },
  { name: 'PV1 missing', bytes: text(adt({ trigger: 'A03', controlId: 'ERR-3', without: ['PV1'] })), refused: { ack: 'AE', code: Hl7ErrorCode.SegmentSequenceError, segment: 'PV1' } },
  {
    name: 'PV1-45 not a date/time',
    bytes: text(adt({ trigger: 'A03', controlId: 'ERR-4', dischargeTime: '2026-11-20 14:25' })),
    refused: { ack: 'AE', code: Hl7ErrorCode.DataTypeError, segment: 'PV1', field: 45 },
  },
  { name: 'PID-30 not Y/N', bytes: text(adt({ trigger: 'A08', controlId: 'ERR-5', pid: { 30: 'X' } })), refused: { ack: 'AE', code: Hl7ErrorCode.TableValueNotFound, segment: 'PID', field: 30 } },
  {
    name: 'A40 without MRG',
    bytes: text(adt({ trigger: 'A40', controlId: 'ERR-6', without: ['PV1'] })),
    refused: { ack: 'AE', code: Hl7ErrorCode.SegmentSequenceError, segment: 'MRG' },
  },
  {
    name: 'a NUL character in PID-5',
    bytes: text(adt({ trigger: 'A01', controlId: 'ERR-7', pid: { 5: 'TES\u0000TER^PAT' } })),
    refused: { ack: 'AE', code: Hl7ErrorCode.DataTypeError, segment: 'PID', field: 5 },
  },
  { name: 'not ADT (ORU^R01)', bytes: text(adt({ trigger: 'R01', messageType: 'ORU^R01', controlId: 'ERR-8' })), refused: { ack: 'AR', code: Hl7ErrorCode.UnsupportedMessageType, segment: 'MSH', field: 9 } },
  { name: 'unsupported event (A28)', bytes: text(adt({ trigger: 'A28', controlId: 'ERR-9' })), refused: { ack: 'AR', code: Hl7ErrorCode.UnsupportedEventCode, segment: 'MSH', field: 9 } },
  { name: 'unsupported processing id', bytes: text(adt({ trigger: 'A01', controlId: 'ERR-10', processingId: 'X' })), refused: { ack: 'AR', code: Hl7ErrorCode.UnsupportedProcessingId, segment: 'MSH', field: 11 } },
  { name: 'unsupported version (2.9)', bytes: text(adt({ trigger: 'A01', controlId: 'ERR-11', version: '2.9' })), refused: { ack: 'AR', code: Hl7ErrorCode.UnsupportedVersionId, segment: 'MSH', field: 12 } },
  { name: 'MSH-10 missing', bytes: text(adt({ trigger: 'A01', controlId: '' })), refused: { ack: 'AR', code: Hl7ErrorCode.RequiredFieldMissing, segment: 'MSH', field: 10 } },
  { name: 'MSH-10 longer than 199 characters', bytes: text(adt({ trigger: 'A01', controlId: 'C'.repeat(200) })), refused: { ack: 'AR', code: Hl7ErrorCode.DataTypeError, segment: 'MSH', field: 10 } },
  { name: 'MSH-15 not in table 0155', bytes: text(adt({ trigger: 'A01', controlId: 'ERR-14', ackTypes: ['XX', 'NE'] })), refused: { ack: 'AR', code: Hl7ErrorCode.TableValueNotFound, segment: 'MSH', field: 15 } },
  {
    name: 'MSH-2 unusable',
    bytes: text(`MSH|^^\\&|EPIC|LGH|SC|SC|20261120143100-0600||ADT^A01|ERR-15|P|2.5.1\r${segment('PID', { 3: 'M1^^^LGH^MR' })}\r`),
    refused: { ack: 'AR', code: Hl7ErrorCode.DataTypeError, segment: 'MSH', field: 2 },
  },
  { name: 'not HL7 at all', bytes: text('GET / HTTP/1.1\r\nHost: adt-ingest\r\n\r\n'), refused: { ack: 'AR', code: Hl7ErrorCode.SegmentSequenceError, segment: 'MSH' } },
  {
    name: 'a segment ID that is not one',
    bytes: text(`${adt({ trigger: 'A01', controlId: 'ERR-17' })}pid|1\r`),
    refused: { ack: 'AE', code: Hl7ErrorCode.SegmentSequenceError },
  },
];

export const CORPUS: readonly CorpusCase[] = [...VENDOR_CASES, ...TRIGGER_CASES, ...REFUSED_CASES];

export const isAccepted = (entry: CorpusCase): entry is AcceptedCase => 'accepted' in entry;

import { createHash } from 'node:crypto';
import {
  Hl7ErrorCode,
  Hl7ParseError,
  decodeHl7Bytes,
  maskSsn,
  parseHl7,
  readAdt,
  type AdtMessage,
  type Hl7ErrorLocation,
  type Hl7Message,
} from '@sc/hl7';
import { encounterKeyOf } from '../encounters/encounter.repository';
import { IngestError, IngestErrorCode } from '../errors/ingest-error';
import { ackModeFor, ORIGINAL_MODE, type AckMode } from './acknowledgments';
import { messageKeyOf } from './batch.repository';
import { patientReference } from './encounter-event.mapper';
import { identifierHashes } from './identifier-hash';

export type IngestChannel = 'mllp' | 'http' | 'replay';

export interface InboundSettings {
  readonly facilityTimeZones: Readonly<Record<string, string>>;
  readonly defaultTimeZone: string;
  readonly receiverProcessingId: string;
  readonly patientRefKey: string;
  readonly enhancedFacilities: readonly string[];
}

/** What is known of every message, readable or not. */
interface InboundBase {
  readonly channel: IngestChannel;
  /** SSNs masked and NUL characters replaced: safe to store. */
  readonly masked: string;
  readonly contentHash: string;
  readonly mode: AckMode;
  /** The reject this message replays, when an operator replays one. */
  readonly replayOf: string | null;
}

/** A message that parsed and meets our profile, with everything storing it needs. */
export interface AcceptedInbound extends InboundBase {
  readonly kind: 'accepted';
  readonly message: Hl7Message;
  readonly adt: AdtMessage;
  readonly sendingFacility: string;
  readonly controlId: string;
  /** Sending facility + MSH-10: the same key again is a resend (or a conflict). */
  readonly messageKey: string;
  /** Sending facility + visit number (PV1-19), when there is one. */
  readonly encounterKey: string | null;
  readonly visitNumber: string | null;
  /** Pseudonymous patient reference (before any merge is applied). */
  readonly subject: string;
  /** A40: the reference of the record merged away (MRG-1). */
  readonly priorSubject: string | null;
  /** Keyed hashes of the patient identifiers, for search without storing them in clear. */
  readonly identifierHashes: readonly string[];
  /** MSH-11 is the processing id this receiver works on; otherwise the message creates no work. */
  readonly production: boolean;
}

export interface RefusedInbound extends InboundBase {
  readonly kind: 'refused';
  readonly error: IngestError;
  /** Rawtext as decoded, for a NAK that can still echo what is readable. */
  readonly text: string;
  /** The parsed message, or its MSH alone, when readable: the NAK is addressed from it. */
  readonly header: Hl7Message | undefined;
  readonly sendingFacility: string | null;
  readonly controlId: string | null;
}

export type Inbound = AcceptedInbound | RefusedInbound;

/** Longest values we key on; longer ones are refused before they reach an index. */
const MAX_FACILITY = 180;
const MAX_CONTROL_ID = 199;
const MAX_VISIT_NUMBER = 199;

export const contentHashOf = (text: string): string =>
  createHash('sha256')
    .update(text.replace(/\r\n|\n/g, '\r').replace(/\r+$/, ''))
    .digest('hex');

const storable = (text: string): string => maskSsn(text).replace(/\u0000/g, '\uFFFD');

/** MSH alone, when the rest of the message does not parse. */
function headerOnly(text: string): Hl7Message | undefined {
  const line = text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .find((candidate) => candidate.startsWith('MSH'));
  if (line === undefined) {
    return undefined;
  }
  try {
    return parseHl7(line);
  } catch {
    return undefined;
  }
}

const field = (message: Hl7Message | undefined, path: string): string | undefined => {
  try {
    return message?.get(path)?.trim() || undefined;
  } catch {
    return undefined;
  }
};

/** Where the first NUL character sits, in ERR-2 terms. */
function nulLocation(text: string, fieldSeparator: string): Hl7ErrorLocation | undefined {
  const lines = text.split(/\r\n|\r|\n/).filter((line) => line.trim() !== '');
  const occurrences = new Map<string, number>();
  for (const [index, line] of lines.entries()) {
    const id = line.slice(0, 3);
    const occurrence = (occurrences.get(id) ?? 0) + 1;
    occurrences.set(id, occurrence);
    const at = line.indexOf('\u0000');
    if (at !== -1) {
      const separators = line.slice(0, at).split(fieldSeparator).length - 1;
      return { segment: id, sequence: occurrence, field: id === 'MSH' ? separators + 1 : separators, segmentIndex: index + 1 };
    }
  }
  return undefined;
}

function checkStorable(text: string, message: Hl7Message, adt: AdtMessage): void {
  const nul = text.includes('\u0000') ? nulLocation(text, message.delimiters.field) : undefined;
  if (nul) {
    throw new Hl7ParseError(Hl7ErrorCode.DataTypeError, nul, 'contains a NUL character');
  }
  const limits: Array<[string | undefined, number, Hl7ErrorLocation]> = [
    [adt.sendingFacility, MAX_FACILITY, { segment: 'MSH', sequence: 1, field: 4 }],
    [adt.controlId, MAX_CONTROL_ID, { segment: 'MSH', sequence: 1, field: 10 }],
    [adt.visit?.visitNumber, MAX_VISIT_NUMBER, { segment: 'PV1', sequence: 1, field: 19 }],
  ];
  for (const [value, max, location] of limits) {
    if (value !== undefined && (value.length > max || value.includes('\u0000'))) {
      throw new Hl7ParseError(Hl7ErrorCode.DataTypeError, location, `longer than ${max} characters or not text`);
    }
  }
}

/**
 * Decodes (MSH-18), parses and reads one frame and decides everything about it that needs no
 * database: pure, so a transport can call it for every frame and the service can batch the rest.
 */
export function readInbound(raw: Buffer, channel: IngestChannel, settings: InboundSettings, replayOf: string | null = null): Inbound {
  const text = decodeHl7Bytes(raw);
  const masked = storable(text);
  const contentHash = contentHashOf(text);
  let message: Hl7Message | undefined;
  try {
    message = parseHl7(text);
    const adt = readAdt(message, { facilityTimeZones: settings.facilityTimeZones, defaultTimeZone: settings.defaultTimeZone });
    checkStorable(text, message, adt);
    const sendingFacility = adt.sendingFacility ?? 'UNKNOWN';
    const visitNumber = adt.visit?.visitNumber ?? null;
    const identifiers = [...adt.patient.identifiers, ...(adt.merge?.priorIdentifiers ?? [])];
    return {
      kind: 'accepted',
      channel,
      masked,
      contentHash,
      mode: ackModeFor(adt, settings.enhancedFacilities),
      replayOf,
      message,
      adt,
      sendingFacility,
      controlId: adt.controlId,
      messageKey: messageKeyOf(sendingFacility, adt.controlId),
      encounterKey: visitNumber === null ? null : encounterKeyOf(sendingFacility, visitNumber),
      visitNumber,
      subject: patientReference(adt.patient.identifiers, sendingFacility, settings.patientRefKey),
      priorSubject: adt.merge ? patientReference(adt.merge.priorIdentifiers, sendingFacility, settings.patientRefKey) : null,
      identifierHashes: identifierHashes(identifiers, settings.patientRefKey),
      production: adt.processingId === settings.receiverProcessingId,
    };
  } catch (error) {
    const header = message ?? headerOnly(text);
    const refusal =
      error instanceof Hl7ParseError
        ? IngestError.fromParseError(error)
        : new IngestError(IngestErrorCode.MalformedMessage, 'the message could not be read', { code: Hl7ErrorCode.ApplicationInternalError, location: {} });
    const sendingFacility = field(header, 'MSH-4') ?? field(header, 'MSH-4.2') ?? null;
    return {
      kind: 'refused',
      channel,
      masked,
      contentHash,
      mode: header ? ackModeFor({ sendingFacility: sendingFacility ?? undefined, acceptAckType: field(header, 'MSH-15'), applicationAckType: field(header, 'MSH-16') }, settings.enhancedFacilities) : ORIGINAL_MODE,
      replayOf,
      error: refusal,
      text,
      header,
      sendingFacility: sendingFacility?.slice(0, MAX_FACILITY).replace(/\u0000/g, '\uFFFD') ?? null,
      controlId: field(header, 'MSH-10')?.slice(0, MAX_CONTROL_ID).replace(/\u0000/g, '\uFFFD') ?? null,
    };
  }
}

import { randomBytes } from 'node:crypto';
import type { AcknowledgmentCondition } from './adt-message';
import { isEncodableHl7Charset } from './charset';
import { DEFAULT_DELIMITERS, encodingCharacters, type Hl7Delimiters } from './delimiters';
import { Hl7ErrorCode, Hl7ParseError, hl7ErrorCodeText, type Hl7ErrorLocation } from './errors';
import { escapeHl7 } from './escaping';
import { Hl7Message, type Hl7Field } from './message';
import { formatHl7Timestamp } from './timestamp';

/**
 * MSA-1 (HL7 table 0008): `A*` original-mode / application acknowledgments, `C*` enhanced-mode
 * commit acknowledgments. `*A` accept, `*E` error, `*R` reject.
 */
export type AckCode = 'AA' | 'AE' | 'AR' | 'CA' | 'CE' | 'CR';

/** ERR-4 (HL7 table 0516): error, warning, information, fatal. */
export type ErrorSeverity = 'E' | 'W' | 'I' | 'F';

/** What goes into the ERR segment of an acknowledgment. */
export interface AckError {
  readonly segment?: string;
  /** ERL.2: occurrence of the segment ID in the message, 1 for the first. */
  readonly sequence?: number;
  readonly field?: number;
  readonly component?: number;
  readonly code: Hl7ErrorCode;
  readonly severity: ErrorSeverity;
  /** ERR-7, for the sender's support staff. Never put patient data here. */
  readonly diagnostic?: string;
}

export interface AckOptions {
  readonly code: AckCode;
  /** MSH-10 of the acknowledgment itself. */
  readonly controlId: string;
  /** MSA-3. Never put patient data here. */
  readonly text?: string;
  readonly error?: AckError;
  /** MSH-7; the current time when omitted. */
  readonly now?: Date;
  /**
   * MSH-15 / MSH-16 of the acknowledgment itself. An enhanced-mode application acknowledgment is
   * a message of its own; `NE`/`NE` tells the sender not to acknowledge it in turn.
   */
  readonly acknowledgmentTypes?: { readonly accept: AcknowledgmentCondition; readonly application: AcknowledgmentCondition };
}

const ACK_DELIMITERS = DEFAULT_DELIMITERS;
const FALLBACK_VERSION = '2.5.1';
const FALLBACK_PROCESSING_ID = 'P';

/**
 * Builds the acknowledgment of a message as ER7 text (standard delimiters, each segment ending
 * in CR): MSH with sender and receiver swapped, MSH-9 `ACK^<event>^ACK` (event from MSH-9.2, else
 * EVN-1), the original MSH-11, MSH-12 and (when we can encode it) MSH-18; MSA with the code and
 * the original MSH-10; and, when `options.error` is given, an ERR in the layout of the message's
 * version (see errSegment; before v2.5 the diagnostic goes to MSA-3). All text is escaped.
 */
export function buildAck(original: Hl7Message, options: AckOptions): string {
  const msh = original.segment('MSH');
  const field = (position: number): string => (msh ? encodeField(msh.field(position)) : '');
  const version = msh?.get(12) ?? FALLBACK_VERSION;
  const charset = msh?.get(18);
  return renderAck({
    sendingApplication: field(5),
    sendingFacility: field(6),
    receivingApplication: field(3),
    receivingFacility: field(4),
    triggerEvent: msh?.get(9, 2) ?? original.segment('EVN')?.get(1) ?? '',
    originalControlId: msh?.get(10) ?? '',
    processingId: field(11) || FALLBACK_PROCESSING_ID,
    version: field(12) || FALLBACK_VERSION,
    legacyErrorLayout: isBeforeV25(version),
    charset: charset !== undefined && isEncodableHl7Charset(charset) ? escape(charset) : '',
    ...options,
  });
}

export interface NakOptions {
  /** Defaults to {@link nakCodeFor} of the error: AE for errors in the message body, AR otherwise. */
  readonly code?: 'AE' | 'AR' | 'CE' | 'CR';
  /** MSH-10 of the NAK; a random 20-character id when omitted. */
  readonly controlId?: string;
  /** ERR-7; for an `Hl7ParseError`, its own (safe) message by default. */
  readonly diagnostic?: string;
  readonly now?: Date;
}

/**
 * A negative acknowledgment for a frame we could not process: when its first MSH line can still
 * be read, the reply is addressed like {@link buildAck} and MSA-2 names its control id; otherwise
 * it uses safe defaults (empty sender/receiver, `ACK^^ACK`, processing id P, v2.5.1).
 *
 * `error` may be anything thrown: an {@link Hl7ParseError} gives its 0357 code and location;
 * anything else becomes 207 (application internal error) and its message is never copied,
 * since it may contain patient data.
 */
export function buildNakForUnparseable(rawText: string, error: unknown, options: NakOptions = {}): string {
  const parseError = error instanceof Hl7ParseError ? error : undefined;
  const code = parseError?.code ?? Hl7ErrorCode.ApplicationInternalError;
  const ackOptions: AckOptions = {
    code: options.code ?? nakCodeFor(code, parseError),
    controlId: options.controlId ?? randomBytes(10).toString('hex'),
    now: options.now,
    error: {
      segment: parseError?.segment,
      sequence: parseError?.sequence,
      field: parseError?.field,
      component: parseError?.component,
      code,
      severity: 'E',
      diagnostic: options.diagnostic ?? parseError?.message,
    },
  };
  const header = readableHeader(rawText);
  if (header) {
    return buildAck(header, ackOptions);
  }
  return renderAck({
    sendingApplication: '',
    sendingFacility: '',
    receivingApplication: '',
    receivingFacility: '',
    triggerEvent: '',
    originalControlId: '',
    processingId: FALLBACK_PROCESSING_ID,
    version: FALLBACK_VERSION,
    legacyErrorLayout: false,
    charset: '',
    ...ackOptions,
  });
}

/**
 * The original-mode acknowledgment code for an error: AR when the message is refused for what it
 * is or because of us (0357 codes 200-207) or when its MSH is unusable (any error located in MSH,
 * including text that does not start with one); AE when the body is wrong (100-103 elsewhere);
 * AA for code 0. Without a location, 100-103 count as body errors.
 */
export function nakCodeFor(code: Hl7ErrorCode, location: Hl7ErrorLocation = {}): 'AA' | 'AE' | 'AR' {
  switch (code) {
    case Hl7ErrorCode.MessageAccepted:
      return 'AA';
    case Hl7ErrorCode.SegmentSequenceError:
    case Hl7ErrorCode.RequiredFieldMissing:
    case Hl7ErrorCode.DataTypeError:
    case Hl7ErrorCode.TableValueNotFound:
      return location.segment === 'MSH' ? 'AR' : 'AE';
    case Hl7ErrorCode.UnsupportedMessageType:
    case Hl7ErrorCode.UnsupportedEventCode:
    case Hl7ErrorCode.UnsupportedProcessingId:
    case Hl7ErrorCode.UnsupportedVersionId:
    case Hl7ErrorCode.UnknownKeyIdentifier:
    case Hl7ErrorCode.DuplicateKeyIdentifier:
    case Hl7ErrorCode.ApplicationRecordLocked:
    case Hl7ErrorCode.ApplicationInternalError:
      return 'AR';
  }
}

/** The ERR content for an {@link Hl7ParseError}; its message is safe to send as the diagnostic. */
export function ackErrorFrom(error: Hl7ParseError, severity: ErrorSeverity = 'E'): AckError {
  return {
    segment: error.segment,
    sequence: error.sequence,
    field: error.field,
    component: error.component,
    code: error.code,
    severity,
    diagnostic: error.message,
  };
}

interface AckContent extends AckOptions {
  /** Already-encoded field values. */
  readonly sendingApplication: string;
  readonly sendingFacility: string;
  readonly receivingApplication: string;
  readonly receivingFacility: string;
  readonly processingId: string;
  readonly version: string;
  readonly charset: string;
  /** Plain text. */
  readonly triggerEvent: string;
  readonly originalControlId: string;
  readonly legacyErrorLayout: boolean;
}

function renderAck(content: AckContent): string {
  const msh = [
    'MSH',
    encodingCharacters(ACK_DELIMITERS),
    content.sendingApplication,
    content.sendingFacility,
    content.receivingApplication,
    content.receivingFacility,
    formatHl7Timestamp(content.now ?? new Date()),
    '',
    ['ACK', escape(content.triggerEvent), 'ACK'].join(ACK_DELIMITERS.component),
    escape(content.controlId),
    content.processingId,
    content.version,
    '',
    '',
    content.acknowledgmentTypes?.accept ?? '',
    content.acknowledgmentTypes?.application ?? '',
    '',
    content.charset,
  ];
  // Before v2.5 the diagnostic has no ERR field; MSA-3 (text message) carries it.
  const text = content.text ?? (content.legacyErrorLayout ? content.error?.diagnostic : undefined);
  const msa = ['MSA', content.code, escape(content.originalControlId), escape(text ?? '')];
  const segments = [msh, msa];
  if (content.error) {
    segments.push(errSegment(content.error, content.legacyErrorLayout));
  }
  return segments.map((fields) => `${trimTrailingEmpty(fields).join(ACK_DELIMITERS.field)}\r`).join('');
}

/**
 * ERR as the message's version defines it: before v2.5 only ERR-1 (location and code in one
 * CM_ELD field; ERR-2 onwards did not exist, and strict engines refuse unknown fields), from v2.5
 * ERR-2 location, ERR-3 code, ERR-4 severity and ERR-7 diagnostic.
 */
function errSegment(error: AckError, legacyErrorLayout: boolean): string[] {
  const { component, subcomponent } = ACK_DELIMITERS;
  const codeText = [String(error.code), hl7ErrorCodeText(error.code), 'HL70357'];
  if (legacyErrorLayout) {
    const legacyLocation = [error.segment ?? '', error.segment ? String(error.sequence ?? 1) : '', optional(error.field)];
    return ['ERR', [...legacyLocation, codeText.join(subcomponent)].join(component)];
  }
  const location = error.segment
    ? trimTrailingEmpty([error.segment, String(error.sequence ?? 1), optional(error.field), error.component === undefined ? '' : '1', optional(error.component)])
    : [];
  return ['ERR', '', location.join(component), codeText.join(component), error.severity, '', '', escape(error.diagnostic ?? '')];
}

function readableHeader(rawText: string): Hl7Message | undefined {
  const msh = rawText
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .find((line) => line.startsWith('MSH'));
  if (msh === undefined) {
    return undefined;
  }
  try {
    return Hl7Message.parse(msh);
  } catch {
    return undefined;
  }
}

function encodeField(field: Hl7Field): string {
  return field.encode(ACK_DELIMITERS);
}

function escape(text: string, delimiters: Hl7Delimiters = ACK_DELIMITERS): string {
  return escapeHl7(text, delimiters);
}

function optional(value: number | undefined): string {
  return value === undefined ? '' : String(value);
}

function trimTrailingEmpty(values: string[]): string[] {
  let end = values.length;
  while (end > 1 && values[end - 1] === '') {
    end -= 1;
  }
  return values.slice(0, end);
}

function isBeforeV25(version: string): boolean {
  return /^2\.[1-4](?:\.|$)/.test(version);
}

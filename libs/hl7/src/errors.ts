/**
 * HL7 table 0357 "Message error condition codes" (v2.5+), used in ERR-3.
 * @see https://hl7-definition.caristix.com/v2/HL7v2.5.1/Tables/0357
 */
export enum Hl7ErrorCode {
  MessageAccepted = 0,
  SegmentSequenceError = 100,
  RequiredFieldMissing = 101,
  DataTypeError = 102,
  TableValueNotFound = 103,
  UnsupportedMessageType = 200,
  UnsupportedEventCode = 201,
  UnsupportedProcessingId = 202,
  UnsupportedVersionId = 203,
  UnknownKeyIdentifier = 204,
  DuplicateKeyIdentifier = 205,
  ApplicationRecordLocked = 206,
  ApplicationInternalError = 207,
}

const ERROR_CODE_TEXT: Record<Hl7ErrorCode, string> = {
  [Hl7ErrorCode.MessageAccepted]: 'Message accepted',
  [Hl7ErrorCode.SegmentSequenceError]: 'Segment sequence error',
  [Hl7ErrorCode.RequiredFieldMissing]: 'Required field missing',
  [Hl7ErrorCode.DataTypeError]: 'Data type error',
  [Hl7ErrorCode.TableValueNotFound]: 'Table value not found',
  [Hl7ErrorCode.UnsupportedMessageType]: 'Unsupported message type',
  [Hl7ErrorCode.UnsupportedEventCode]: 'Unsupported event code',
  [Hl7ErrorCode.UnsupportedProcessingId]: 'Unsupported processing id',
  [Hl7ErrorCode.UnsupportedVersionId]: 'Unsupported version id',
  [Hl7ErrorCode.UnknownKeyIdentifier]: 'Unknown key identifier',
  [Hl7ErrorCode.DuplicateKeyIdentifier]: 'Duplicate key identifier',
  [Hl7ErrorCode.ApplicationRecordLocked]: 'Application record locked',
  [Hl7ErrorCode.ApplicationInternalError]: 'Application internal error',
};

/** The table 0357 display text of a code, as sent in ERR-3.2. */
export function hl7ErrorCodeText(code: Hl7ErrorCode): string {
  return ERROR_CODE_TEXT[code];
}

/**
 * Where an error is, in the terms of the ERL data type used by ERR-2.
 * `sequence` is ERL.2: the occurrence of that segment ID in the message (the second DG1 is 2),
 * not the segment's position in the message, which is `segmentIndex`.
 */
export interface Hl7ErrorLocation {
  readonly segment?: string;
  readonly sequence?: number;
  readonly field?: number;
  readonly component?: number;
  /** 1-based position of the segment in the message; set even when the segment ID is unreadable. */
  readonly segmentIndex?: number;
}

/**
 * A message that cannot be parsed or does not meet our profile.
 *
 * The message text is built only from the code, the location and a `detail` written by this
 * library, never from field values: those may be patient data, and this error is logged.
 */
export class Hl7ParseError extends Error {
  override readonly name = 'Hl7ParseError';
  readonly segment?: string;
  readonly sequence?: number;
  readonly field?: number;
  readonly component?: number;
  readonly segmentIndex?: number;

  /**
   * @param detail a fixed description written in this library; never interpolate field values.
   */
  constructor(
    readonly code: Hl7ErrorCode,
    location: Hl7ErrorLocation = {},
    readonly detail?: string,
  ) {
    super(describe(code, location, detail));
    this.segment = location.segment;
    this.sequence = location.sequence;
    this.field = location.field;
    this.component = location.component;
    this.segmentIndex = location.segmentIndex;
  }

  get location(): Hl7ErrorLocation {
    return {
      segment: this.segment,
      sequence: this.sequence,
      field: this.field,
      component: this.component,
      segmentIndex: this.segmentIndex,
    };
  }
}

function describe(code: Hl7ErrorCode, location: Hl7ErrorLocation, detail: string | undefined): string {
  const where = describeLocation(location);
  const head = `${hl7ErrorCodeText(code)} (HL7 0357 code ${code})`;
  return [where ? `${head} at ${where}` : head, detail].filter(Boolean).join(': ');
}

function describeLocation({ segment, sequence, field, component, segmentIndex }: Hl7ErrorLocation): string {
  let where = '';
  if (segment !== undefined) {
    where = segment;
    if (sequence !== undefined && sequence > 1) {
      where += `(${sequence})`;
    }
    if (field !== undefined) {
      where += `-${field}`;
      if (component !== undefined) {
        where += `.${component}`;
      }
    }
  }
  if (segmentIndex !== undefined) {
    where += where ? ` (segment ${segmentIndex} of the message)` : `segment ${segmentIndex} of the message`;
  }
  return where;
}

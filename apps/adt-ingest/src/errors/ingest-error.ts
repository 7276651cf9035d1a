import { Hl7ErrorCode, Hl7ParseError, type Hl7ErrorLocation } from '@sc/hl7';

/** Every way adt-ingest refuses a message or an operator request; each transport maps these codes once. */
export enum IngestErrorCode {
  /** The message breaks HL7 syntax or our profile (table 0357 codes 100-103). */
  MalformedMessage = 'MALFORMED_MESSAGE',
  /** Not a message type, event, processing id or version we take (codes 200-203). */
  UnsupportedMessage = 'UNSUPPORTED_MESSAGE',
  /** The sending facility already used this MSH-10 for a different message (code 205). */
  ControlIdConflict = 'CONTROL_ID_CONFLICT',
  /** The database could not be reached: the sender should resend later. */
  StorageUnavailable = 'STORAGE_UNAVAILABLE',
  /** The database refused this message's own rows while others were stored. */
  MessageNotStorable = 'MESSAGE_NOT_STORABLE',
  MessageNotFound = 'MESSAGE_NOT_FOUND',
  RejectNotFound = 'REJECT_NOT_FOUND',
  /** The raw text was removed by the retention policy; replay needs the corrected message in the request. */
  RawMessagePurged = 'RAW_MESSAGE_PURGED',
  RejectAlreadyReplayed = 'REJECT_ALREADY_REPLAYED',
  /** A search cursor we did not issue. */
  InvalidCursor = 'INVALID_CURSOR',
}

/**
 * The one error class of adt-ingest. Messages are written here or by libs/hl7 from codes and
 * locations only, never from field values, so they are safe to log and to send back in ERR-7.
 */
export class IngestError extends Error {
  constructor(
    readonly code: IngestErrorCode,
    message: string,
    /** Where in the message, and which table 0357 code, for errors about a message. */
    readonly hl7?: { readonly code: Hl7ErrorCode; readonly location: Hl7ErrorLocation },
  ) {
    super(message);
    this.name = IngestError.name;
  }

  /** Classifies a parse or profile error from libs/hl7. */
  static fromParseError(error: Hl7ParseError): IngestError {
    const unsupported = [
      Hl7ErrorCode.UnsupportedMessageType,
      Hl7ErrorCode.UnsupportedEventCode,
      Hl7ErrorCode.UnsupportedProcessingId,
      Hl7ErrorCode.UnsupportedVersionId,
    ].includes(error.code);
    return new IngestError(unsupported ? IngestErrorCode.UnsupportedMessage : IngestErrorCode.MalformedMessage, error.message, {
      code: error.code,
      location: error.location,
    });
  }

  static controlIdConflict(): IngestError {
    return new IngestError(IngestErrorCode.ControlIdConflict, 'control id already used for a different message', {
      code: Hl7ErrorCode.DuplicateKeyIdentifier,
      location: { segment: 'MSH', sequence: 1, field: 10 },
    });
  }
}

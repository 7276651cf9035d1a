export { ackErrorFrom, buildAck, buildNakForUnparseable, nakCodeFor, type AckCode, type AckError, type AckOptions, type ErrorSeverity, type NakOptions } from './ack';
export {
  SUPPORTED_ADT_EVENTS,
  type AcknowledgmentCondition,
  type AdtAllergy,
  type AdtDiagnosis,
  type AdtInsurance,
  type AdtMerge,
  type AdtMessage,
  type AdtPatient,
  type AdtTriggerEvent,
  type AdtVisit,
  type ClinicalTimeSource,
  type PatientIdentifier,
  type PersonName,
  type PointOfCare,
  type PostalAddress,
  type Practitioner,
  type ProcessingId,
} from './adt-message';
export { readAdt, type AdtReadOptions } from './adt-reader';
export { decodeHl7Bytes, encodeHl7Text, sniffHl7Charset } from './charset';
export { DEFAULT_DELIMITERS, type Hl7Delimiters } from './delimiters';
export { Hl7ErrorCode, Hl7ParseError, hl7ErrorCodeText, type Hl7ErrorLocation } from './errors';
export { escapeHl7, unescapeHl7, type HexEscapeEncoding } from './escaping';
export { Hl7Field, Hl7Message, Hl7Repetition, Hl7Segment, parseHl7 } from './message';
export { maskSsn } from './phi';
export { formatHl7Timestamp, isValidTimeZone, parseHl7Date, parseHl7Timestamp, type Hl7TimestampOptions } from './timestamp';

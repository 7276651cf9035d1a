import { Hl7ErrorCode, nakCodeFor, type AckError } from '@sc/hl7';
import { IngestErrorCode, type IngestError } from './ingest-error';
import { assertUnreachable } from '@sc/platform';

/**
 * How a refusal is acknowledged. `original` is MSA-1 in original mode. In enhanced mode an
 * `application`-level error is one the sender fixes in the message: we keep it (as a reject), so
 * the commit acknowledgment is CA and the application acknowledgment carries the error; a
 * `commit`-level error means we did not take the message at all (CR: refused, CE: could not store).
 */
export interface Hl7Refusal {
  readonly original: 'AE' | 'AR';
  readonly level: 'application' | 'commit';
  readonly commit: 'CE' | 'CR';
  readonly error: AckError;
}


/** The one HL7 mapping of ingest error codes; a new code that is not mapped does not compile. */
export function hl7RefusalFor(error: IngestError): Hl7Refusal {
  const code = error.hl7?.code ?? Hl7ErrorCode.ApplicationInternalError;
  const location = error.hl7?.location ?? {};
  const err: AckError = {
    segment: location.segment,
    sequence: location.sequence,
    field: location.field,
    component: location.component,
    code,
    severity: 'E',
    diagnostic: error.message,
  };
  switch (error.code) {
    case IngestErrorCode.MalformedMessage: {
      // An unusable MSH is a refusal of the whole message; anything else is the body's to fix.
      const original = nakCodeFor(code, location) === 'AE' ? 'AE' : 'AR';
      return original === 'AE' ? { original, level: 'application', commit: 'CE', error: err } : { original, level: 'commit', commit: 'CR', error: err };
    }
    case IngestErrorCode.UnsupportedMessage:
    case IngestErrorCode.ControlIdConflict:
      return { original: 'AR', level: 'commit', commit: 'CR', error: err };
    case IngestErrorCode.StorageUnavailable:
    case IngestErrorCode.MessageNotStorable:
    case IngestErrorCode.MessageNotFound:
    case IngestErrorCode.RejectNotFound:
    case IngestErrorCode.RawMessagePurged:
    case IngestErrorCode.RejectAlreadyReplayed:
    case IngestErrorCode.InvalidCursor:
      return { original: 'AR', level: 'commit', commit: 'CE', error: err };
    default:
      return assertUnreachable(error.code);
  }
}

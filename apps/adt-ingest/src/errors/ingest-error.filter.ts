import { Catch, HttpStatus } from '@nestjs/common';
import { DomainErrorHttpFilter, assertUnreachable } from '@sc/platform';
import { IngestError, IngestErrorCode } from './ingest-error';


/** The one HTTP mapping of ingest error codes; a new code that is not mapped does not compile. */
export function httpStatusFor(code: IngestErrorCode): HttpStatus {
  switch (code) {
    case IngestErrorCode.MessageNotFound:
    case IngestErrorCode.RejectNotFound:
      return HttpStatus.NOT_FOUND;
    case IngestErrorCode.RawMessagePurged:
    case IngestErrorCode.RejectAlreadyReplayed:
    case IngestErrorCode.ControlIdConflict:
      return HttpStatus.CONFLICT;
    case IngestErrorCode.InvalidCursor:
      return HttpStatus.BAD_REQUEST;
    case IngestErrorCode.MalformedMessage:
    case IngestErrorCode.UnsupportedMessage:
      return HttpStatus.UNPROCESSABLE_ENTITY;
    case IngestErrorCode.StorageUnavailable:
      return HttpStatus.SERVICE_UNAVAILABLE;
    case IngestErrorCode.MessageNotStorable:
      return HttpStatus.INTERNAL_SERVER_ERROR;
    default:
      return assertUnreachable(code);
  }
}

@Catch(IngestError)
export class IngestErrorFilter extends DomainErrorHttpFilter<IngestError> {
  protected statusFor(error: IngestError): HttpStatus {
    return httpStatusFor(error.code);
  }
}

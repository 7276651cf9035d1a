import { Catch, HttpStatus } from '@nestjs/common';
import { DomainErrorHttpFilter, assertUnreachable } from '@sc/platform';
import { PharmacyError, PharmacyErrorCode } from './pharmacy-error';


/** The one HTTP mapping of pharmacy error codes; a new code that is not mapped does not compile. */
export function httpStatusFor(code: PharmacyErrorCode): HttpStatus {
  switch (code) {
    case PharmacyErrorCode.TaskNotFound:
    case PharmacyErrorCode.PatientNotFound:
    case PharmacyErrorCode.ReviewNotFound:
      return HttpStatus.NOT_FOUND;
    case PharmacyErrorCode.TaskClosed:
    case PharmacyErrorCode.ReviewClosed:
    case PharmacyErrorCode.ReconciliationRequired:
      return HttpStatus.CONFLICT;
    case PharmacyErrorCode.InvalidCsv:
    case PharmacyErrorCode.InvalidEnrollment:
    case PharmacyErrorCode.InvalidPeriod:
      return HttpStatus.BAD_REQUEST;
    case PharmacyErrorCode.TeamNotVisible:
      return HttpStatus.FORBIDDEN;
    default:
      return assertUnreachable(code);
  }
}

@Catch(PharmacyError)
export class PharmacyErrorFilter extends DomainErrorHttpFilter<PharmacyError> {
  protected statusFor(error: PharmacyError): HttpStatus {
    return httpStatusFor(error.code);
  }
}

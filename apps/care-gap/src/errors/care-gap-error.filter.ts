import { Catch, HttpStatus } from '@nestjs/common';
import { DomainErrorHttpFilter, assertUnreachable } from '@sc/platform';
import { CareGapError, CareGapErrorCode } from './care-gap-error';


/** The one HTTP mapping of care-gap error codes; a new code that is not mapped does not compile. */
export function httpStatusFor(code: CareGapErrorCode): HttpStatus {
  switch (code) {
    case CareGapErrorCode.GapNotFound:
    case CareGapErrorCode.RuleNotFound:
      return HttpStatus.NOT_FOUND;
    case CareGapErrorCode.InvalidTransition:
    case CareGapErrorCode.RuleVersionConflict:
      return HttpStatus.CONFLICT;
    case CareGapErrorCode.InvalidRule:
    case CareGapErrorCode.InvalidContextEvent:
      return HttpStatus.BAD_REQUEST;
    default:
      return assertUnreachable(code);
  }
}

@Catch(CareGapError)
export class CareGapErrorFilter extends DomainErrorHttpFilter<CareGapError> {
  protected statusFor(error: CareGapError): HttpStatus {
    return httpStatusFor(error.code);
  }
}

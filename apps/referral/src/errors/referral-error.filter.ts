import { Catch, HttpStatus } from '@nestjs/common';
import { DomainErrorHttpFilter, assertUnreachable } from '@sc/platform';
import { ReferralError, ReferralErrorCode } from './referral-error';


/** The one HTTP mapping of referral error codes; a new code that is not mapped does not compile. */
export function httpStatusFor(code: ReferralErrorCode): HttpStatus {
  switch (code) {
    case ReferralErrorCode.ReferralNotFound:
    case ReferralErrorCode.NurseNotFound:
      return HttpStatus.NOT_FOUND;
    case ReferralErrorCode.NotInQueue:
    case ReferralErrorCode.NotSupervisor:
      return HttpStatus.FORBIDDEN;
    case ReferralErrorCode.NurseInactive:
    case ReferralErrorCode.InvalidTransition:
    case ReferralErrorCode.StepNotForType:
    case ReferralErrorCode.AlreadyClaimed:
    case ReferralErrorCode.NotClaimant:
    case ReferralErrorCode.LeaseExpired:
    case ReferralErrorCode.NotABriefing:
    case ReferralErrorCode.BriefingNotSent:
      return HttpStatus.CONFLICT;
    default:
      return assertUnreachable(code);
  }
}

@Catch(ReferralError)
export class ReferralErrorFilter extends DomainErrorHttpFilter<ReferralError> {
  protected statusFor(error: ReferralError): HttpStatus {
    return httpStatusFor(error.code);
  }
}

import { Catch, HttpStatus } from '@nestjs/common';
import { NotifierError, NotifierErrorCode } from './notifier.error';
import { DomainErrorHttpFilter, assertUnreachable } from '@sc/platform';


/** The one place notifier error codes become HTTP statuses; a new code that is not mapped does not compile. */
export function httpStatusOf(code: NotifierErrorCode): HttpStatus {
  switch (code) {
    case NotifierErrorCode.RecipientNotFound:
    case NotifierErrorCode.NotificationNotFound:
    case NotifierErrorCode.DeliveryNotFound:
      return HttpStatus.NOT_FOUND;
    case NotifierErrorCode.NotARecipient:
      return HttpStatus.FORBIDDEN;
    case NotifierErrorCode.EmailAddressRequired:
    case NotifierErrorCode.EmailChannelUnavailable:
    case NotifierErrorCode.WebhookEndpointRequired:
    case NotifierErrorCode.WebhookUrlNotAllowed:
      return HttpStatus.UNPROCESSABLE_ENTITY;
    case NotifierErrorCode.DeliveryNotFailed:
      return HttpStatus.CONFLICT;
    default:
      return assertUnreachable(code);
  }
}

@Catch(NotifierError)
export class NotifierHttpErrorFilter extends DomainErrorHttpFilter<NotifierError> {
  protected statusFor(error: NotifierError): HttpStatus {
    return httpStatusOf(error.code);
  }
}

import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { NotifierError, NotifierErrorCode } from './notifier.error';

function assertUnreachable(value: never): never {
  throw new Error(`unmapped notifier error code ${String(value)}`);
}

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
export class NotifierHttpErrorFilter implements ExceptionFilter<NotifierError> {
  catch(error: NotifierError, host: ArgumentsHost): void {
    const status = httpStatusOf(error.code);
    host.switchToHttp().getResponse<Response>().status(status).json({ statusCode: status, code: error.code, message: error.message });
  }
}

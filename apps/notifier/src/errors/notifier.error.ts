/** Every way a notifier request can be refused; each is mapped to HTTP once (notifier-http-error.filter.ts). */
export enum NotifierErrorCode {
  RecipientNotFound = 'RECIPIENT_NOT_FOUND',
  NotificationNotFound = 'NOTIFICATION_NOT_FOUND',
  DeliveryNotFound = 'DELIVERY_NOT_FOUND',
  NotARecipient = 'NOT_A_RECIPIENT',
  EmailAddressRequired = 'EMAIL_ADDRESS_REQUIRED',
  EmailChannelUnavailable = 'EMAIL_CHANNEL_UNAVAILABLE',
  WebhookEndpointRequired = 'WEBHOOK_ENDPOINT_REQUIRED',
  WebhookUrlNotAllowed = 'WEBHOOK_URL_NOT_ALLOWED',
  DeliveryNotFailed = 'DELIVERY_NOT_FAILED',
}

export class NotifierError extends Error {
  constructor(
    readonly code: NotifierErrorCode,
    message: string,
  ) {
    super(message);
    this.name = NotifierError.name;
  }
}

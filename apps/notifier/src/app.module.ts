import { NotificationOwners } from './access/owners';
import { Module } from '@nestjs/common';
import { PlatformModule, SERVICE_CONFIG } from '@sc/platform';
import { SecurityModule } from '@sc/security';
import { EmailChannel } from './channels/email/email.channel';
import { WebhookChannel } from './channels/webhook/webhook.channel';
import { WebhookEndpointRepository } from './channels/webhook/webhook-endpoint.repository';
import { WebhookSecretSealer } from './channels/webhook/webhook-secret-sealer';
import { NotifierConfig } from './config';
import { DeliveriesController } from './deliveries/deliveries.controller';
import { DeliveryAdminService } from './deliveries/delivery-admin.service';
import { DeliveryQueueRepository } from './deliveries/delivery-queue.repository';
import { DeliveryWorker } from './deliveries/delivery.worker';
import { EscalationService } from './escalation/escalation.service';
import { TimerRepository } from './escalation/timer.repository';
import { TimerWorker } from './escalation/timer.worker';
import { NotificationMetrics } from './metrics/notification-metrics';
import { MIGRATIONS } from './migrations';
import { DeliveryDispatch } from './notifications/delivery-dispatch';
import { DeliveryRepository } from './notifications/delivery.repository';
import { NotificationEventsHandler } from './notifications/notification-events.handler';
import { NotificationQueryService } from './notifications/notification-query.service';
import { NotificationRepository } from './notifications/notification.repository';
import { NotificationService } from './notifications/notification.service';
import { NotificationsController } from './notifications/notifications.controller';
import { ReceiptRepository } from './notifications/receipt.repository';
import { ReceiptService } from './notifications/receipt.service';
import { RecipientRepository } from './recipients/recipient.repository';
import { RecipientService } from './recipients/recipient.service';
import { RecipientsController } from './recipients/recipients.controller';
import { StreamHub } from './streams/stream-hub';
import { StreamService } from './streams/stream.service';
import { SecretKeyring } from './secrets/secret-keyring';
import { StreamsController } from './streams/streams.controller';

export const SERVICE_NAME = 'notifier';

export function notifierModule(config: NotifierConfig) {
  @Module({
    imports: [PlatformModule.forRoot({ serviceName: SERVICE_NAME, config, migrations: MIGRATIONS, redis: true, idempotency: 'natural-keys' }), SecurityModule.forRoot(config)],
    controllers: [StreamsController, RecipientsController, NotificationsController, DeliveriesController, NotificationEventsHandler],
    providers: [
      NotificationOwners,
      NotificationMetrics,
      NotificationRepository,
      DeliveryRepository,
      DeliveryQueueRepository,
      ReceiptRepository,
      RecipientRepository,
      WebhookEndpointRepository,
      {
        provide: SecretKeyring,
        useFactory: (settings: NotifierConfig) => SecretKeyring.fromConfig(settings.NOTIFIER_SECRET_KEY, settings.NOTIFIER_SECRET_PREVIOUS_KEYS),
        inject: [SERVICE_CONFIG],
      },
      WebhookSecretSealer,
      TimerRepository,
      NotificationService,
      NotificationQueryService,
      ReceiptService,
      RecipientService,
      DeliveryDispatch,
      DeliveryAdminService,
      DeliveryWorker,
      WebhookChannel,
      EmailChannel,
      EscalationService,
      TimerWorker,
      StreamHub,
      StreamService,
    ],
  })
  class NotifierModule {}
  return NotifierModule;
}

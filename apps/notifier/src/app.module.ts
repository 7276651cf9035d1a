import { Module } from '@nestjs/common';
import { PlatformModule } from '@sc/platform';
import { NotifierConfig } from './config';
import { MIGRATIONS } from './migrations';
import { DeliveryRepository } from './notifications/delivery.repository';
import { NotificationEventsHandler } from './notifications/notification-events.handler';
import { NotificationService } from './notifications/notification.service';
import { StreamHub } from './streams/stream-hub';
import { StreamService } from './streams/stream.service';
import { StreamsController } from './streams/streams.controller';

export const SERVICE_NAME = 'notifier';

export function notifierModule(config: NotifierConfig) {
  @Module({
    imports: [PlatformModule.forRoot({ serviceName: SERVICE_NAME, config, migrations: MIGRATIONS, redis: true })],
    controllers: [StreamsController, NotificationEventsHandler],
    providers: [DeliveryRepository, NotificationService, StreamHub, StreamService],
  })
  class NotifierModule {}
  return NotifierModule;
}


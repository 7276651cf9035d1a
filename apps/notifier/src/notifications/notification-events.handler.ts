import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { EventEnvelope } from '@sc/contracts';
import { HandlesEvent } from '@sc/messaging';
import { NotificationService } from './notification.service';

@Controller()
export class NotificationEventsHandler {
  constructor(private readonly notifications: NotificationService) {}

  @HandlesEvent('notification.requested')
  async onRequested(@Payload() event: EventEnvelope<'notification.requested'>): Promise<void> {
    await this.notifications.accept(event);
  }
}

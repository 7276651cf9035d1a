import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { EventEnvelope } from '@sc/contracts';
import { HandlesEvent, type EventRun } from '@sc/messaging';
import { NotificationService } from './notification.service';

@Controller()
export class NotificationEventsHandler {
  constructor(private readonly notifications: NotificationService) {}

  @HandlesEvent('notification.requested')
  async onRequested(@Payload() run: EventRun<EventEnvelope<'notification.requested'>>): Promise<void> {
    await run.each((event) => this.notifications.accept(event));
  }
}

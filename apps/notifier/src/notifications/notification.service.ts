import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EventEnvelope } from '@sc/contracts';
import { claimInbox } from '@sc/messaging';
import { createLogger } from '@sc/observability';
import { TimerRepository } from '../escalation/timer.repository';
import { DeliveryDispatch } from './delivery-dispatch';
import type { CreatedDeliveries } from './delivery.repository';
import { notificationRequestFrom } from './notification-request';
import { NotificationRepository } from './notification.repository';

const CONSUMER = 'notifier';

export type AcceptResult = 'duplicate-event' | 'duplicate-notification' | 'accepted';

@Injectable()
export class NotificationService {
  private readonly logger = createLogger(NotificationService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly notifications: NotificationRepository,
    private readonly dispatch: DeliveryDispatch,
    private readonly timers: TimerRepository,
  ) {}

  /**
   * Records the request, one delivery per channel the recipient chose and, for an urgent request
   * that asks for it, the escalation timer: one transaction with the inbox row, and nothing at
   * all for a notification id seen before. Then the deliveries are set moving.
   */
  async accept(event: EventEnvelope<'notification.requested'>): Promise<AcceptResult> {
    const request = notificationRequestFrom(event);
    const now = new Date();
    let created: CreatedDeliveries | undefined;
    const result = await this.dataSource.transaction(async (manager): Promise<AcceptResult> => {
      if (!(await claimInbox(manager, CONSUMER, event))) {
        return 'duplicate-event';
      }
      const inserted = await this.notifications.insert(manager, {
        id: request.notificationId,
        title: request.title,
        urgency: request.urgency,
        dueAt: request.dueAt,
        link: request.link,
        itemType: request.itemType,
        itemId: request.itemId,
        recipientId: request.recipientId,
        teamId: request.teamId,
        escalationOf: null,
        escalation: request.escalation,
        sourceEventId: request.sourceEventId,
        correlationId: request.correlationId,
        subject: request.subject,
      });
      if (!inserted) {
        return 'duplicate-notification';
      }
      created = await this.dispatch.create(manager, request.notificationId, [request.target], request.urgency, now);
      if (request.escalation) {
        await this.timers.schedule(manager, 'escalation', request.notificationId, new Date(now.getTime() + request.escalation.afterSeconds * 1000));
      }
      return 'accepted';
    });
    if (created) {
      await this.dispatch.announce(created);
    }
    if (result !== 'accepted') {
      this.logger.info({ notificationId: request.notificationId, result }, 'notification request ignored');
    }
    return result;
  }
}

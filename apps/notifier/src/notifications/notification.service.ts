import { Injectable } from '@nestjs/common';
import type { EventEnvelope } from '@sc/contracts';
import { createLogger } from '@sc/observability';
import { UnitOfWork } from '@sc/persistence';
import { TimerRepository } from '../escalation/timer.repository';
import { DeliveryDispatch } from './delivery-dispatch';
import { notificationRequestFrom, type NotificationRequest } from './notification-request';
import { NotificationRepository, type NewNotification } from './notification.repository';

function newNotificationOf(request: NotificationRequest): NewNotification {
  return {
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
    requestedAt: request.requestedAt,
  };
}

export type AcceptResult = 'duplicate-notification' | 'accepted';

@Injectable()
export class NotificationService {
  private readonly logger = createLogger(NotificationService.name);

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly notifications: NotificationRepository,
    private readonly dispatch: DeliveryDispatch,
    private readonly timers: TimerRepository,
  ) {}

  /**
   * Records the request, one delivery per channel the recipient chose and, for an urgent request
   * that asks for it, the escalation timer, in one transaction; nothing at all for a notification
   * id seen before, so a redelivered or republished request changes nothing without an inbox row.
   * Once that transaction (which may be shared with other events) has committed, the deliveries
   * are set moving.
   */
  async accept(event: EventEnvelope<'notification.requested'>): Promise<AcceptResult> {
    const request = notificationRequestFrom(event);
    const now = new Date();
    const result = await this.unitOfWork.run(async (manager): Promise<AcceptResult> => {
      const stored = await this.notifications.insert(manager, newNotificationOf(request));
      if (!stored) {
        return 'duplicate-notification';
      }
      const created = await this.dispatch.create(manager, stored, [request.target], now);
      await this.unitOfWork.afterCommit(() => this.dispatch.announce(created));
      if (request.escalation) {
        await this.timers.schedule(manager, 'escalation', request.notificationId, new Date(now.getTime() + request.escalation.afterSeconds * 1000));
      }
      return 'accepted';
    });
    if (result !== 'accepted') {
      this.logger.debug({ notificationId: request.notificationId, result }, 'notification request ignored');
    }
    return result;
  }
}

import { Injectable } from '@nestjs/common';
import type { EventEnvelope } from '@sc/contracts';
import { claimInbox } from '@sc/messaging';
import { createLogger } from '@sc/observability';
import { UnitOfWork } from '@sc/persistence';
import { TimerRepository } from '../escalation/timer.repository';
import { DeliveryDispatch } from './delivery-dispatch';
import { notificationRequestFrom } from './notification-request';
import { NotificationRepository } from './notification.repository';

const CONSUMER = 'notifier';

export type AcceptResult = 'duplicate-event' | 'duplicate-notification' | 'accepted';

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
   * that asks for it, the escalation timer: one transaction with the inbox row, and nothing at
   * all for a notification id seen before. Once that transaction (which may be shared with other
   * events) has committed, the deliveries are set moving.
   */
  async accept(event: EventEnvelope<'notification.requested'>): Promise<AcceptResult> {
    const request = notificationRequestFrom(event);
    const now = new Date();
    const result = await this.unitOfWork.run(async (manager): Promise<AcceptResult> => {
      if (!(await claimInbox(manager, CONSUMER, event))) {
        return 'duplicate-event';
      }
      const stored = await this.notifications.insert(manager, {
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
      });
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
      this.logger.info({ notificationId: request.notificationId, result }, 'notification request ignored');
    }
    return result;
  }
}

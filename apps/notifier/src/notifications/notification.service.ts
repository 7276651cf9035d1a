import { Injectable } from '@nestjs/common';
import type { EventEnvelope } from '@sc/contracts';
import { claimInbox, isFreshInRun } from '@sc/messaging';
import { createLogger } from '@sc/observability';
import { UnitOfWork, recallInTransaction, rememberInTransaction, type EntityManager } from '@sc/persistence';
import type { CreatedDeliveries } from './delivery.repository';
import { TimerRepository } from '../escalation/timer.repository';
import { DeliveryDispatch } from './delivery-dispatch';
import { notificationRequestFrom, type NotificationRequest } from './notification-request';
import { NotificationRepository, type NewNotification, type NotificationRecord } from './notification.repository';

const CONSUMER = 'notifier';

/** What a run's preparation stored for a notification id: the notification and its deliveries, or that the id existed. */
type PreparedRequest = { readonly stored: NotificationRecord; readonly created: CreatedDeliveries } | 'duplicate-notification';

/** Transaction memory key of the run's prepared requests, by notification id. */
const PREPARED_REQUESTS = 'notifier:prepared-requests';

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
      const prepared = await this.takePrepared(manager, request.notificationId);
      if (prepared === 'duplicate-notification') {
        return prepared;
      }
      const stored = prepared?.stored ?? (await this.notifications.insert(manager, newNotificationOf(request)));
      if (!stored) {
        return 'duplicate-notification';
      }
      const created = prepared?.created ?? (await this.dispatch.create(manager, stored, [request.target], now));
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

  /**
   * Before a run's handlers start: stores the notifications of its requests that the consumer has
   * not handled before, then all their deliveries, two statements for the run instead of two per
   * request; each handler then answers from what was stored for its id. Only the first request of
   * an id is stored (a later one is a duplicate, as it would be one at a time); a request that
   * does not parse is left to its handler, which rejects it.
   */
  async prepareRun(manager: EntityManager, events: ReadonlyArray<EventEnvelope>): Promise<void> {
    const requests = new Map<string, NotificationRequest>();
    for (const event of events) {
      if (event.type !== 'notification.requested' || !isFreshInRun(manager, CONSUMER, event)) {
        continue;
      }
      let request: NotificationRequest;
      try {
        request = notificationRequestFrom(event as EventEnvelope<'notification.requested'>);
      } catch {
        continue;
      }
      if (!requests.has(request.notificationId)) {
        requests.set(request.notificationId, request);
      }
    }
    if (requests.size === 0) {
      return;
    }
    const stored = await this.notifications.insertMany(manager, [...requests.values()].map(newNotificationOf));
    const fresh = [...requests.values()].flatMap((request) => {
      const notification = stored.get(request.notificationId);
      return notification ? [{ notification, targets: [request.target] }] : [];
    });
    const created = await this.dispatch.createMany(manager, fresh, new Date());
    const prepared = new Map<string, PreparedRequest>([...requests.keys()].map((id) => [id, 'duplicate-notification']));
    fresh.forEach(({ notification }, index) => prepared.set(notification.id, { stored: notification, created: created[index] }));
    rememberInTransaction(manager, PREPARED_REQUESTS, prepared);
  }

  /** What {@link prepareRun} stored for this id; once taken, the id is stored, and a later request of it in the run a duplicate. */
  private async takePrepared(manager: EntityManager, notificationId: string): Promise<PreparedRequest | undefined> {
    const prepared = await recallInTransaction<Map<string, PreparedRequest>>(manager, PREPARED_REQUESTS);
    const answer = prepared?.get(notificationId);
    if (answer !== undefined) {
      prepared?.set(notificationId, 'duplicate-notification');
    }
    return answer;
  }
}

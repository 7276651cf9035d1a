import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { createEnvelope } from '@sc/contracts';
import { Outbox } from '@sc/messaging';
import { createLogger } from '@sc/observability';
import { UnitOfWork } from '@sc/persistence';
import { NOTIFIER_SOURCE } from '../escalation/escalation.service';
import { TimerRepository } from '../escalation/timer.repository';
import { NotifierError, NotifierErrorCode } from '../errors/notifier.error';
import { DeliveryRepository } from './delivery.repository';
import { NotificationRepository, type NotificationRecord } from './notification.repository';
import { ReceiptRepository, type ReceiptRecord } from './receipt.repository';

@Injectable()
export class ReceiptService {
  private readonly logger = createLogger(ReceiptService.name);

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly notifications: NotificationRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly receipts: ReceiptRepository,
    private readonly timers: TimerRepository,
    private readonly outbox: Outbox,
  ) {}

  async read(notificationId: string, recipientId: string): Promise<ReceiptRecord> {
    return this.unitOfWork.run(async (manager) => {
      await this.addressedNotification(manager, notificationId, recipientId);
      return this.receipts.markRead(manager, notificationId, recipientId);
    });
  }

  /**
   * Acknowledges for the person; the first acknowledgement cancels the pending escalation (of
   * the requested notification, when this is its escalation) and tells the owning service through
   * `notification.acknowledged`, all in one transaction.
   */
  async acknowledge(notificationId: string, recipientId: string): Promise<ReceiptRecord> {
    return this.unitOfWork.run(async (manager) => {
      const notification = await this.addressedNotification(manager, notificationId, recipientId);
      const { receipt, first } = await this.receipts.acknowledge(manager, notificationId, recipientId);
      if (!first) {
        return receipt;
      }
      const requestedId = notification.escalationOf ?? notification.id;
      const cancelled = await this.timers.cancelFor(manager, requestedId);
      const acknowledgedAt = (receipt.acknowledgedAt ?? new Date()).toISOString();
      await this.outbox.append(
        manager,
        createEnvelope(
          'notification.acknowledged',
          {
            notificationId,
            requestedNotificationId: requestedId,
            recipientId,
            acknowledgedAt,
            itemType: notification.itemType,
            itemId: notification.itemId,
          },
          {
            source: NOTIFIER_SOURCE,
            subject: notification.subject ?? `notification:${requestedId}`,
            occurredAt: acknowledgedAt,
            correlationId: notification.correlationId,
            causationId: notification.sourceEventId,
          },
        ),
      );
      this.logger.info({ notificationId, cancelledTimers: cancelled }, 'notification acknowledged');
      return receipt;
    });
  }

  private async addressedNotification(manager: EntityManager, notificationId: string, recipientId: string): Promise<NotificationRecord> {
    const notification = await this.notifications.find(notificationId, manager);
    if (!notification) {
      throw new NotifierError(NotifierErrorCode.NotificationNotFound, `notification ${notificationId} not found`);
    }
    if (!(await this.deliveries.isAddressedTo(manager, notificationId, recipientId))) {
      throw new NotifierError(NotifierErrorCode.NotARecipient, 'the notification was not addressed to this recipient or their teams');
    }
    return notification;
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TimerRepository } from '../escalation/timer.repository';
import { NotifierError, NotifierErrorCode } from '../errors/notifier.error';
import { DeliveryRepository } from './delivery.repository';
import { NotificationRepository } from './notification.repository';
import { NotificationView, toDeliveryView, toReceiptView } from './notification.views';
import { ReceiptRepository } from './receipt.repository';

@Injectable()
export class NotificationQueryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly notifications: NotificationRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly receipts: ReceiptRepository,
    private readonly timers: TimerRepository,
  ) {}

  /** A notification with its deliveries, receipts and escalation state. */
  async detail(id: string): Promise<NotificationView> {
    const notification = await this.notifications.find(id);
    if (!notification) {
      throw new NotifierError(NotifierErrorCode.NotificationNotFound, `notification ${id} not found`);
    }
    const [deliveries, receipts, timers, escalations, acknowledged] = await Promise.all([
      this.deliveries.list({ notificationId: id, limit: 1000 }),
      this.receipts.forNotifications([id]),
      this.timers.forNotification(id),
      this.notifications.escalationsOf(id),
      this.receipts.isAcknowledged(this.dataSource.manager, notification.escalationOf ?? id),
    ]);
    const timer = timers.find((candidate) => candidate.kind === 'escalation');
    return {
      id: notification.id,
      title: notification.title,
      urgency: notification.urgency,
      dueAt: notification.dueAt?.toISOString() ?? null,
      link: notification.link,
      itemType: notification.itemType,
      itemId: notification.itemId,
      recipientId: notification.recipientId,
      teamId: notification.teamId,
      escalationOf: notification.escalationOf,
      acknowledged,
      escalation:
        notification.escalation && timer
          ? {
              afterSeconds: notification.escalation.afterSeconds,
              recipientId: notification.escalation.recipientId,
              toTeamLead: notification.escalation.toTeamLead,
              status: timer.status,
              dueAt: timer.dueAt.toISOString(),
              escalationNotificationId: escalations[0]?.id ?? null,
            }
          : null,
      deliveries: deliveries.reverse().map(toDeliveryView),
      receipts: receipts.map(toReceiptView),
      createdAt: notification.createdAt.toISOString(),
    };
  }
}

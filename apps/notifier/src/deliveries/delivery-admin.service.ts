import { Injectable } from '@nestjs/common';
import { NotifierError, NotifierErrorCode } from '../errors/notifier.error';
import { NotificationMetrics } from '../metrics/notification-metrics';
import { DeliveryRepository, type DeliveryRecord } from '../notifications/delivery.repository';
import { teamKey, userKey } from '../notifications/recipient-key';
import { DeliveryQueueRepository } from './delivery-queue.repository';
import type { DeliveryQueryDto } from './delivery.dto';
import { DeliveryWorker } from './delivery.worker';

@Injectable()
export class DeliveryAdminService {
  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly queue: DeliveryQueueRepository,
    private readonly worker: DeliveryWorker,
    private readonly metrics: NotificationMetrics,
  ) {}

  list(query: DeliveryQueryDto): Promise<DeliveryRecord[]> {
    const recipient = query.recipientId ? userKey(query.recipientId) : query.teamId ? teamKey(query.teamId) : undefined;
    return this.deliveries.list({ ...query, recipient, limit: query.limit ?? 100 });
  }

  /** Puts a dead-lettered webhook or email delivery back in the queue with a fresh series of attempts. */
  async redrive(deliveryId: string): Promise<DeliveryRecord> {
    const redriven = await this.queue.redrive(deliveryId);
    if (redriven) {
      this.metrics.count(redriven.channel, 'redriven');
      this.worker.wake();
      return redriven;
    }
    if (!(await this.deliveries.find(deliveryId))) {
      throw new NotifierError(NotifierErrorCode.DeliveryNotFound, `delivery ${deliveryId} not found`);
    }
    throw new NotifierError(NotifierErrorCode.DeliveryNotFailed, 'only failed webhook or email deliveries can be redriven');
  }
}

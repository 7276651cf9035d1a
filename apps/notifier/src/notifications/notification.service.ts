import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import type { EventEnvelope } from '@sc/contracts';
import { UnprocessableEventError, claimInbox } from '@sc/messaging';
import { createLogger } from '@sc/observability';
import { REDIS } from '@sc/platform';
import { DeliveryRepository } from './delivery.repository';
import { recipientKey, streamChannel } from './stream-item';

const CONSUMER = 'notifier';

@Injectable()
export class NotificationService {
  private readonly logger = createLogger(NotificationService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveries: DeliveryRepository,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /**
   * Records the request and its stream delivery exactly once, then pushes it to whichever
   * notifier instance holds the recipient's open stream (Redis pub/sub). If the push is lost,
   * the stream's reconcile pass or the client's Last-Event-ID resume delivers it from PostgreSQL.
   */
  async accept(event: EventEnvelope<'notification.requested'>): Promise<void> {
    const recipient = recipientKey(event.data.recipientId, event.data.teamId);
    if (!recipient) {
      throw new UnprocessableEventError('NO_RECIPIENT', 'notification request names neither a recipient nor a team');
    }
    const item = await this.dataSource.transaction(async (manager) => {
      if (!(await claimInbox(manager, CONSUMER, event))) {
        return undefined;
      }
      return this.deliveries.createStreamDelivery(manager, event, recipient);
    });
    if (!item) {
      return;
    }
    try {
      await this.redis.publish(streamChannel(recipient), JSON.stringify(item));
    } catch (error) {
      this.logger.warn({ err: error, seq: item.seq }, 'live push failed; stream reconcile will deliver it');
    }
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { EntityManager } from 'typeorm';
import type { NotificationUrgency } from '@sc/contracts';
import { createLogger } from '@sc/observability';
import { REDIS } from '@sc/platform';
import { DeliveryWorker } from '../deliveries/delivery.worker';
import { RecipientRepository } from '../recipients/recipient.repository';
import { planDeliveries } from './delivery-plan';
import { DeliveryRepository, type CreatedDeliveries } from './delivery.repository';
import { parseRecipientKey, type RecipientKey } from './recipient-key';
import { streamChannel } from './stream-item';

/** Turns a notification into deliveries (inside the caller's transaction) and, after commit, sets them moving. */
@Injectable()
export class DeliveryDispatch {
  private readonly logger = createLogger(DeliveryDispatch.name);

  constructor(
    private readonly recipients: RecipientRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly worker: DeliveryWorker,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async create(manager: EntityManager, notificationId: string, targets: RecipientKey[], urgency: NotificationUrgency, now: Date): Promise<CreatedDeliveries> {
    const users = targets.map(parseRecipientKey).filter((key) => key.kind === 'user').map((key) => key.id);
    const preferences = await this.recipients.deliveryPreferences(manager, users);
    const planned = targets.flatMap((target) => {
      const key = parseRecipientKey(target);
      return planDeliveries(target, key.kind === 'user' ? preferences.get(key.id) : undefined, urgency, now);
    });
    return this.deliveries.createDeliveries(manager, notificationId, planned);
  }

  /**
   * After commit: pushes stream items to whichever instance holds the recipient's open stream
   * (Redis pub/sub) and wakes the local send worker. A lost push is covered by the stream's
   * reconcile pass and Last-Event-ID resume; other instances' workers find queued rows by polling.
   */
  async announce(created: CreatedDeliveries): Promise<void> {
    if (created.queued > 0) {
      this.worker.wake();
    }
    for (const { recipient, item } of created.streamItems) {
      try {
        await this.redis.publish(streamChannel(recipient), JSON.stringify(item));
      } catch (error) {
        this.logger.warn({ err: error, seq: item.seq }, 'live push failed; stream reconcile will deliver it');
      }
    }
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { EntityManager } from 'typeorm';
import { createLogger } from '@sc/observability';
import { REDIS } from '@sc/platform';
import { DeliveryWorker } from '../deliveries/delivery.worker';
import { NotificationMetrics } from '../metrics/notification-metrics';
import { RecipientRepository } from '../recipients/recipient.repository';
import { planDeliveries, planTeamDeliveries, uniqueDeliveries } from './delivery-plan';
import { DeliveryRepository, type CreatedDeliveries } from './delivery.repository';
import { parseRecipientKey, type RecipientKey } from './recipient-key';
import type { NotificationRecord } from './notification.repository';
import { streamChannel, streamContentOf } from './stream-item';

/** Turns a notification into deliveries (inside the caller's transaction) and, after commit, sets them moving. */
@Injectable()
export class DeliveryDispatch {
  private readonly logger = createLogger(DeliveryDispatch.name);

  constructor(
    private readonly recipients: RecipientRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly worker: DeliveryWorker,
    private readonly metrics: NotificationMetrics,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /**
   * Plans and stores the deliveries of one notification. Team membership and preferences are read
   * here, in the dispatching transaction: whoever is an active member now gets the team item on
   * their own webhook and email; someone who joins later gets nothing retroactively (they still
   * see the team feed and may read and acknowledge through their membership).
   */
  async create(manager: EntityManager, notification: NotificationRecord, targets: RecipientKey[], now: Date): Promise<CreatedDeliveries> {
    const [created] = await this.createMany(manager, [{ notification, targets }], now);
    return created;
  }

  /** {@link create} for several notifications: one read of members, one of preferences, one insert. */
  async createMany(manager: EntityManager, batch: ReadonlyArray<{ notification: NotificationRecord; targets: RecipientKey[] }>, now: Date): Promise<CreatedDeliveries[]> {
    const keyed = batch.map(({ notification, targets }) => ({ notification, keys: targets.map((target) => ({ target, ...parseRecipientKey(target) })) }));
    const allKeys = keyed.flatMap(({ keys }) => keys);
    const members = await this.recipients.teamMembers(
      manager,
      allKeys.filter((key) => key.kind === 'team').map((key) => key.id),
    );
    const users = [...new Set([...allKeys.filter((key) => key.kind === 'user').map((key) => key.id), ...members.map((member) => member.recipientId)])];
    const preferences = await this.recipients.deliveryPreferences(manager, users);
    const plannedBatch = keyed.map(({ notification, keys }) => {
      const planned = keys.flatMap(({ target, kind, id }) => {
        switch (kind) {
          case 'user':
            return planDeliveries(target, preferences.get(id), notification.urgency, now);
          case 'team':
            return planTeamDeliveries(
              target,
              members.filter((member) => member.teamId === id).map((member) => ({ recipientId: member.recipientId, preferences: preferences.get(member.recipientId) })),
              notification.urgency,
              now,
            );
        }
      });
      return { notification: streamContentOf(notification), planned: uniqueDeliveries(planned) };
    });
    return this.deliveries.createDeliveriesOfMany(manager, plannedBatch);
  }

  /**
   * After commit: pushes stream items to whichever instance holds the recipient's open stream
   * (Redis pub/sub) and wakes the local send worker. A lost push is covered by the stream's
   * reconcile pass and Last-Event-ID resume; other instances' workers find queued rows by polling.
   */
  async announce(created: CreatedDeliveries): Promise<void> {
    // Counted here, after the commit: a rolled-back shared transaction plans the deliveries again.
    created.deferred.forEach((channel) => this.metrics.count(channel, 'deferred'));
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

import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { createLogger } from '@sc/observability';
import { SERVICE_CONFIG } from '@sc/platform';
import type { NotifierConfig } from '../config';
import { EmailChannel } from '../channels/email/email.channel';
import type { OutboundSender } from '../channels/outbound-channel';
import { WebhookChannel } from '../channels/webhook/webhook.channel';
import { NotificationMetrics, reachableSince } from '../metrics/notification-metrics';
import type { OutboundChannel } from '../notifications/delivery-plan';
import { PollingLoop } from '../runtime/polling-loop';
import { DeliveryQueueRepository, type ClaimedDelivery } from './delivery-queue.repository';
import { afterFailure, type RetryPolicy, type SendResult } from './retry-policy';

const RECORD_TRIES = 3;

/**
 * Sends webhook and email deliveries from the PostgreSQL queue. Every instance runs one; SKIP
 * LOCKED claims keep them from sending the same row, and a lease brings back a row whose sender
 * died. Outcomes: delivered (final), retried with backoff and jitter, or dead-lettered (`failed`).
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = createLogger(DeliveryWorker.name);
  private readonly loop: PollingLoop;
  private readonly retry: RetryPolicy;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly queue: DeliveryQueueRepository,
    private readonly webhook: WebhookChannel,
    private readonly email: EmailChannel,
    private readonly metrics: NotificationMetrics,
    @Inject(SERVICE_CONFIG) private readonly config: NotifierConfig,
  ) {
    this.retry = { maxAttempts: config.DELIVERY_MAX_ATTEMPTS, baseMs: config.DELIVERY_RETRY_BASE_MS, maxMs: config.DELIVERY_RETRY_MAX_MS };
    this.loop = new PollingLoop('deliveries', config.DELIVERY_POLL_MS, () => this.sendDue(), this.logger);
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  /** Stops claiming and lets sends in flight finish (each is bounded by its timeout). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
    await Promise.allSettled([...this.inFlight]);
  }

  /** New deliveries were queued on this instance: send them now rather than at the next poll. */
  wake(): void {
    this.loop.wake();
  }

  /**
   * Claims as many due deliveries as there are free send slots and starts them; true when every
   * free slot was filled (more may be due). A finished send wakes the loop to refill its slot.
   */
  async sendDue(): Promise<boolean> {
    const free = this.config.DELIVERY_CONCURRENCY - this.inFlight.size;
    if (free <= 0) {
      return false;
    }
    const claimed = await this.queue.claimDue(free, this.config.DELIVERY_LEASE_MS);
    for (const delivery of claimed) {
      const sending = this.deliver(delivery).finally(() => {
        this.inFlight.delete(sending);
        this.loop.wake();
      });
      this.inFlight.add(sending);
    }
    return claimed.length === free;
  }

  private senderFor(channel: OutboundChannel): OutboundSender {
    switch (channel) {
      case 'webhook':
        return this.webhook;
      case 'email':
        return this.email;
    }
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    let result: SendResult;
    try {
      result = await this.senderFor(delivery.channel).send(delivery);
    } catch (error) {
      this.logger.warn({ err: error, deliveryId: delivery.seq, channel: delivery.channel }, 'send failed unexpectedly');
      result = { kind: 'failed', code: 'SEND_ERROR', retryable: true };
    }
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.record(delivery, result);
        return;
      } catch (error) {
        // If the outcome cannot be recorded the lease brings the row back: a resend, never a loss.
        if (attempt >= RECORD_TRIES) {
          this.logger.error({ err: error, deliveryId: delivery.seq }, 'delivery outcome not recorded; the lease will retry it');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  private async record(delivery: ClaimedDelivery, result: SendResult): Promise<void> {
    const fields = { deliveryId: delivery.seq, notificationId: delivery.notificationId, channel: delivery.channel, attempt: delivery.attempts };
    switch (result.kind) {
      case 'delivered':
        if (await this.queue.markDelivered(delivery.seq)) {
          this.metrics.delivered(delivery.channel, reachableSince(delivery.requestedAt, delivery.deferredUntil));
        }
        this.logger.debug(fields, 'delivered');
        return;
      case 'postponed':
        if (await this.queue.release(delivery.seq, delivery.attempts, result.until)) {
          this.metrics.count(delivery.channel, 'postponed');
        }
        return;
      case 'failed': {
        const step = afterFailure(delivery.attempts, result.retryable, this.retry, new Date());
        if (step.kind === 'retry') {
          if (await this.queue.reschedule(delivery.seq, delivery.attempts, step.at, result.code)) {
            this.metrics.count(delivery.channel, 'retried');
          }
          this.logger.info({ ...fields, code: result.code, retryAt: step.at.toISOString() }, 'send failed; will retry');
        } else {
          if (await this.queue.markFailed(delivery.seq, delivery.attempts, result.code)) {
            this.metrics.count(delivery.channel, 'failed');
          }
          this.logger.warn({ ...fields, code: result.code }, 'delivery dead-lettered');
        }
        return;
      }
    }
  }
}

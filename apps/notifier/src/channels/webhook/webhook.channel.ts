import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@sc/platform';
import type { NotifierConfig } from '../../config';
import type { ClaimedDelivery } from '../../deliveries/delivery-queue.repository';
import type { SendResult } from '../../deliveries/retry-policy';
import { NotificationMetrics } from '../../metrics/notification-metrics';
import { parseRecipientKey } from '../../notifications/recipient-key';
import { absoluteLink, type OutboundSender } from '../outbound-channel';
import { circuitState, opensAfter, reopenAt, type CircuitPolicy } from './circuit-breaker';
import { WebhookEndpointRepository, type WebhookEndpoint } from './webhook-endpoint.repository';
import { WebhookHeaders, signWebhook } from './webhook-signature';
import { WebhookTargetPolicy, postWebhook, webhookTargetPolicy } from './webhook-target';

/** The JSON body a webhook receives: the minimum to find the work, no clinical content. */
export interface WebhookPayload {
  type: 'notification';
  deliveryId: string;
  notificationId: string;
  escalationOf: string | null;
  recipientId: string;
  title: string;
  urgency: string;
  dueAt: string | null;
  link: string;
  itemType: string;
  itemId: string;
  createdAt: string;
}

type PostResult = SendResult & { countsAgainstEndpoint: boolean };

/** Statuses worth another try: the receiver is overloaded, starting, or asked us to come back. */
const RETRYABLE_STATUSES = new Set([408, 425, 429]);

@Injectable()
export class WebhookChannel implements OutboundSender {
  private readonly circuit: CircuitPolicy;
  private readonly targets: WebhookTargetPolicy;

  constructor(
    private readonly endpoints: WebhookEndpointRepository,
    private readonly metrics: NotificationMetrics,
    @Inject(SERVICE_CONFIG) private readonly config: NotifierConfig,
  ) {
    this.circuit = { threshold: config.WEBHOOK_CIRCUIT_THRESHOLD, openMs: config.WEBHOOK_CIRCUIT_OPEN_MS };
    this.targets = webhookTargetPolicy(config);
  }

  async send(delivery: ClaimedDelivery): Promise<SendResult> {
    const { id: recipientId } = parseRecipientKey(delivery.recipient);
    const endpoint = await this.endpoints.findForSending(recipientId);
    if (!endpoint) {
      return { kind: 'failed', code: 'NO_WEBHOOK_ENDPOINT', retryable: false };
    }
    if (endpoint.secret === null) {
      // Its key is missing from this instance's configuration; a restored key lets a retry succeed.
      return { kind: 'failed', code: 'WEBHOOK_SECRET_UNREADABLE', retryable: true };
    }
    const now = new Date();
    const state = circuitState(endpoint, now, this.circuit);
    switch (state) {
      case 'open':
        return { kind: 'postponed', until: endpoint.openUntil ?? reopenAt(now, this.circuit) };
      case 'half-open':
        if (!(await this.endpoints.takeProbe(recipientId, reopenAt(now, this.circuit), this.circuit.threshold))) {
          return { kind: 'postponed', until: reopenAt(now, this.circuit) };
        }
        break;
      case 'closed':
        break;
    }
    const result = await this.post(endpoint, delivery, recipientId);
    if (result.kind === 'delivered') {
      await this.endpoints.recordSuccess(recipientId);
    } else if (result.countsAgainstEndpoint) {
      const failures = await this.endpoints.recordFailure(recipientId);
      if (opensAfter(failures, this.circuit)) {
        await this.endpoints.openCircuit(recipientId, reopenAt(new Date(), this.circuit));
        this.metrics.circuitOpened();
      }
    }
    return result.kind === 'failed' ? { kind: 'failed', code: result.code, retryable: result.retryable } : { kind: 'delivered' };
  }

  private async post(endpoint: WebhookEndpoint & { secret: string }, delivery: ClaimedDelivery, recipientId: string): Promise<PostResult> {
    const payload: WebhookPayload = {
      type: 'notification',
      deliveryId: delivery.seq,
      notificationId: delivery.notificationId,
      escalationOf: delivery.escalationOf,
      recipientId,
      title: delivery.title,
      urgency: delivery.urgency,
      dueAt: delivery.dueAt?.toISOString() ?? null,
      link: absoluteLink(this.config.LINK_BASE_URL, delivery.link),
      itemType: delivery.itemType,
      itemId: delivery.itemId,
      createdAt: delivery.createdAt.toISOString(),
    };
    const body = JSON.stringify(payload);
    const timestamp = Math.floor(Date.now() / 1000);
    let status: number;
    try {
      status = await postWebhook(
        this.targets,
        endpoint.url,
        {
          'Content-Type': 'application/json',
          'User-Agent': 'synchronized-care-notifier/1',
          [WebhookHeaders.timestamp]: String(timestamp),
          [WebhookHeaders.signature]: signWebhook(endpoint.secret, timestamp, body),
          [WebhookHeaders.deliveryId]: delivery.seq,
          [WebhookHeaders.notificationId]: delivery.notificationId,
        },
        body,
        // No redirect is followed (postWebhook): it would move a signed body to a URL nobody registered.
        this.config.WEBHOOK_TIMEOUT_MS,
      );
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'EWEBHOOKTARGET') {
        // The host now resolves inside (DNS rebinding) or names a refused address: nothing to retry.
        return { kind: 'failed', code: 'WEBHOOK_TARGET_REFUSED', retryable: false, countsAgainstEndpoint: false };
      }
      return { kind: 'failed', code: code === 'ETIMEDOUT' ? 'WEBHOOK_TIMEOUT' : 'WEBHOOK_UNREACHABLE', retryable: true, countsAgainstEndpoint: true };
    }
    if (status >= 200 && status < 300) {
      return { kind: 'delivered', countsAgainstEndpoint: false };
    }
    const transient = status >= 500 || RETRYABLE_STATUSES.has(status);
    return { kind: 'failed', code: `HTTP_${status}`, retryable: transient, countsAgainstEndpoint: transient };
  }
}

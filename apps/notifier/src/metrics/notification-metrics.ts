import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MetricsRegistry, type Counter, type Histogram } from '@sc/observability';
import type { Channel } from '../notifications/delivery-plan';

/**
 * What became of a delivery at one step. `delivered`: first success (sse written to a stream that
 * was open when the item arrived, webhook answered 2xx, email accepted by the relay);
 * `on-connect`: a feed item first written when its person opened the feed (it waited for them);
 * `retried`: transient failure, sent again later; `failed`: dead-lettered; `deferred`: held back
 * by quiet hours when planned; `postponed`: given back unsent because the endpoint's circuit is
 * open; `redriven`: a person put a dead letter back in the queue.
 */
export const DELIVERY_OUTCOMES = ['delivered', 'on-connect', 'retried', 'failed', 'deferred', 'postponed', 'redriven'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/** From a fraction of a second (a live feed) to an hour (webhooks retried with backoff). */
export const DELIVERY_LATENCY_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] as const;

/**
 * The notifier's delivery metrics. Labels are the channel, an outcome or a state only: never a
 * recipient (staff ids would make a series per person) or anything about the patient.
 */
@Injectable()
export class NotificationMetrics implements OnModuleInit {
  private readonly latency: Histogram;
  private readonly deliveries: Counter;
  private readonly escalations: Counter;
  private readonly circuitOpenings: Counter;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(MetricsRegistry) private readonly registry: MetricsRegistry,
  ) {
    this.latency = registry.histogram(
      'sc_notification_delivery_seconds',
      'Seconds from the request of a notification (recordedAt of the requesting event, so the trip through Kafka counts; ' +
        'for an escalation, when it fired; for a delivery held by quiet hours, when they ended) to its first successful delivery ' +
        'on the channel: sse written to an open stream, webhook answered 2xx, email accepted by the SMTP relay. ' +
        'Feed items that waited for their person to connect are not observed (outcome on-connect).',
      DELIVERY_LATENCY_BUCKETS,
    );
    this.deliveries = registry.counter(
      'sc_notification_deliveries_total',
      'Delivery steps by channel and outcome: delivered, on-connect (sse), retried, failed (dead-lettered), deferred (quiet hours), postponed (circuit open), redriven.',
    );
    this.escalations = registry.counter('sc_notification_escalations_total', 'Unacknowledged urgent notifications escalated.');
    this.circuitOpenings = registry.counter(
      'sc_webhook_circuit_openings_total',
      'Webhook endpoint circuits opened after consecutive transient failures (a failed half-open probe opens it again).',
    );
  }

  onModuleInit(): void {
    this.registry.collectedGauge(
      'sc_notification_delivery_backlog',
      'Deliveries not yet delivered, by channel and state: pending (due, or waiting for a retry; for sse, for the person to open the feed), deferred (quiet hours), failed (dead letters).',
      async () => {
        // Counted from the partial index of undelivered rows (deliveries_unsettled_idx).
        const rows: Array<{ channel: Channel; state: string; count: string }> = await this.dataSource.query(
          `SELECT channel,
                  CASE WHEN status = 'failed' THEN 'failed' WHEN deferred_until > now() THEN 'deferred' ELSE 'pending' END AS state,
                  count(*) AS count
           FROM deliveries WHERE status <> 'delivered' GROUP BY 1, 2`,
        );
        return rows.map((row) => ({ labels: { channel: row.channel, state: row.state }, value: Number(row.count) }));
      },
    );
    this.registry.collectedGauge('sc_webhook_circuit_open', 'Webhook endpoints whose circuit is open now (sends held back).', async () => {
      const [row]: Array<{ count: string }> = await this.dataSource.query('SELECT count(*) AS count FROM webhook_endpoints WHERE open_until > now()');
      return [{ value: Number(row.count) }];
    });
  }

  /**
   * A first successful delivery; `since` is when the person could first have been reached
   * (request time, or the end of quiet hours). A clock ahead of ours upstream counts as zero.
   */
  delivered(channel: Channel, since: Date, now: Date = new Date()): void {
    this.latency.observe(Math.max(0, (now.getTime() - since.getTime()) / 1000), { channel });
    this.count(channel, 'delivered');
  }

  count(channel: Channel, outcome: DeliveryOutcome, by = 1): void {
    this.deliveries.inc({ channel, outcome }, by);
  }

  escalated(): void {
    this.escalations.inc();
  }

  circuitOpened(): void {
    this.circuitOpenings.inc();
  }
}

/** When a delivery could first reach its person: the request, or the end of the quiet hours that held it. */
export function reachableSince(requestedAt: Date, deferredUntil: Date | null): Date {
  return deferredUntil !== null && deferredUntil.getTime() > requestedAt.getTime() ? deferredUntil : requestedAt;
}

import type { DataSource } from 'typeorm';
import { MetricsRegistry } from '@sc/observability';
import { NotificationMetrics, reachableSince } from './notification-metrics';

describe(NotificationMetrics.name, () => {
  const at = (iso: string): Date => new Date(iso);

  it('times a delivery from its request, in the seconds-to-minutes buckets, and counts it delivered', async () => {
    const registry = new MetricsRegistry();
    const metrics = new NotificationMetrics({} as DataSource, registry);
    metrics.delivered('webhook', at('2026-11-20T10:00:00Z'), at('2026-11-20T10:00:45Z'));
    const text = await registry.render();
    expect(text).toContain('sc_notification_delivery_seconds_bucket{channel="webhook",le="30"} 0');
    expect(text).toContain('sc_notification_delivery_seconds_bucket{channel="webhook",le="60"} 1');
    expect(text).toContain('sc_notification_delivery_seconds_sum{channel="webhook"} 45');
    expect(text).toContain('sc_notification_deliveries_total{channel="webhook",outcome="delivered"} 1');
  });

  it('counts a request stamped by a clock ahead of ours as zero seconds, never negative', async () => {
    const registry = new MetricsRegistry();
    new NotificationMetrics({} as DataSource, registry).delivered('sse', at('2026-11-20T10:00:02Z'), at('2026-11-20T10:00:00Z'));
    expect(await registry.render()).toContain('sc_notification_delivery_seconds_sum{channel="sse"} 0');
  });

  it('starts the clock of a delivery held by quiet hours when they end, not at the request', () => {
    const requested = at('2026-11-20T02:00:00Z');
    expect(reachableSince(requested, at('2026-11-20T07:00:00Z'))).toEqual(at('2026-11-20T07:00:00Z'));
    expect(reachableSince(requested, null)).toBe(requested);
    expect(reachableSince(requested, at('2026-11-20T01:00:00Z'))).toBe(requested);
  });
});

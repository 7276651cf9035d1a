import { MetricsRegistry } from './metrics';

describe(MetricsRegistry.name, () => {
  it('renders counters, histograms and scrape-time gauges in Prometheus text format', async () => {
    const registry = new MetricsRegistry();
    registry.counter('sc_acks_total', 'ACKs by code').inc({ code: 'AA' }, 2);
    registry.histogram('sc_ack_seconds', 'ACK latency', [0.01, 0.1]).observe(0.05, { code: 'AA' });
    registry.collectedGauge('sc_outbox_backlog', 'Unpublished outbox rows', async () => [{ value: 7 }]);
    const text = await registry.render();
    expect(text).toContain('# TYPE sc_acks_total counter\nsc_acks_total{code="AA"} 2');
    expect(text).toContain('sc_ack_seconds_bucket{code="AA",le="0.01"} 0');
    expect(text).toContain('sc_ack_seconds_bucket{code="AA",le="0.1"} 1');
    expect(text).toContain('sc_ack_seconds_bucket{code="AA",le="+Inf"} 1');
    expect(text).toContain('sc_outbox_backlog 7');
  });

  it('keeps serving the other metrics when a scrape-time source fails', async () => {
    const registry = new MetricsRegistry();
    registry.counter('sc_events_total', 'events').inc();
    registry.collectedGauge('sc_broken', 'fails', async () => {
      throw new Error('database down');
    });
    const text = await registry.render();
    expect(text).toContain('sc_events_total 1');
    expect(text).toContain('# TYPE sc_broken gauge');
  });
});

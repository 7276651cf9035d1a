import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatHl7Timestamp } from '@sc/hl7';
import { MllpClient } from '@sc/mllp';
import { SystemUnderTest, eventually, syntheticAdt } from '@sc/testing';
import { loadRoster } from './roster';

interface ExportedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
}

/** An OTLP/HTTP JSON receiver, standing in for a collector. */
async function startCollector(): Promise<{ url: string; spans: ExportedSpan[]; close(): Promise<void> }> {
  const spans: ExportedSpan[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const parsed = JSON.parse(body) as {
        resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ spans: Omit<ExportedSpan, 'service'>[] }> }>;
      };
      for (const resource of parsed.resourceSpans) {
        const service = resource.resource.attributes.find((attribute) => attribute.key === 'service.name')?.value.stringValue ?? '';
        spans.push(...resource.scopeSpans.flatMap((scope) => scope.spans.map((span) => ({ ...span, service }))));
      }
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('tracing: one discharge is one trace from the MLLP receipt to the notification', () => {
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let system: SystemUnderTest;

  beforeAll(async () => {
    collector = await startCollector();
    system = await SystemUnderTest.start({ services: ['adt-ingest', 'pharmacy-alert', 'notifier'], env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url } });
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
    await collector?.close();
  }, 60_000);

  it('exports spans over OTLP from adt-ingest, pharmacy-alert and notifier sharing the trace id of the MLLP receipt', async () => {
    await loadRoster(system.service('pharmacy-alert').url(''), [{ pharmacyPatientId: 'SP-TRACE', mrn: 'TRACE001', pharmacistId: 'pharm-trace' }], system.authorization('feed', ['integration']));
    const mllp = await MllpClient.connect({ host: '127.0.0.1', port: system.mllpPort });
    await mllp.send(syntheticAdt({ trigger: 'A03', controlId: 'TRACE-1', mrn: 'TRACE001', visitNumber: 'V-TRACE', clinicalTime: formatHl7Timestamp(new Date()) }));
    await mllp.close();

    const trace = await eventually(async () => {
      const receipt = collector.spans.find((span) => span.service === 'adt-ingest' && span.name === 'MLLP receive');
      if (!receipt) {
        return undefined;
      }
      const inTrace = collector.spans.filter((span) => span.traceId === receipt.traceId);
      const services = new Set(inTrace.map((span) => span.service));
      return services.has('pharmacy-alert') && services.has('notifier') ? { receipt, inTrace } : undefined;
    }, 30_000);

    const discharge = trace.inTrace.find((span) => span.service === 'pharmacy-alert' && span.name === 'consume encounter.discharged');
    const notification = trace.inTrace.find((span) => span.service === 'notifier' && span.name === 'consume notification.requested');
    expect(discharge?.parentSpanId).not.toBe('');
    expect(notification?.parentSpanId).not.toBe('');
    expect(trace.receipt.parentSpanId).toBe('');
  }, 60_000);
});

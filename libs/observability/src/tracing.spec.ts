import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { currentLogContext } from './log-context';
import { SpanKind } from './tracing';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  status: { code: number };
}

describe('tracing', () => {
  const received: OtlpSpan[] = [];
  let server: http.Server;

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const parsed = JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
        received.push(...parsed.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans)));
        response.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    await new Promise((resolve) => server.close(resolve));
  });

  it('exports nested spans over OTLP/HTTP JSON with parent links, and puts the trace id in the log context', async () => {
    // Loaded after the endpoint is set: the exporter reads its configuration once.
    const { withSpan, flushSpans } = await import('./tracing');
    let seenInLogs: string | undefined;
    const parent = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), sampled: true };
    await withSpan('consume encounter.discharged', { kind: SpanKind.Consumer, parent }, async () => {
      await withSpan('write task', {}, async () => {
        seenInLogs = currentLogContext()?.trace?.traceId;
      });
    });
    await expect(withSpan('fails', {}, async () => Promise.reject(new TypeError('boom')))).rejects.toThrow('boom');
    await flushSpans();

    expect(seenInLogs).toBe(parent.traceId);
    const consume = received.find((span) => span.name === 'consume encounter.discharged');
    const child = received.find((span) => span.name === 'write task');
    expect(consume).toMatchObject({ traceId: parent.traceId, parentSpanId: parent.spanId, kind: SpanKind.Consumer, status: { code: 1 } });
    expect(child).toMatchObject({ traceId: parent.traceId, parentSpanId: consume?.spanId });
    expect(received.find((span) => span.name === 'fails')?.status.code).toBe(2);
  });
});

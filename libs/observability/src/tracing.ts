import { createLogger } from './logger';
import { currentLogContext, runWithLogContext, type LogContext } from './log-context';
import { childSpan, type TraceContext } from './trace-context';

/** OTLP span kinds (opentelemetry-proto trace.proto). */
export enum SpanKind {
  Internal = 1,
  Server = 2,
  Client = 3,
  Producer = 4,
  Consumer = 5,
}

type AttributeValue = string | number | boolean;

interface FinishedSpan {
  context: TraceContext;
  parentSpanId: string | undefined;
  name: string;
  kind: SpanKind;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, AttributeValue>;
  error: string | undefined;
}

const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);

const otlpValue = (value: AttributeValue): Record<string, unknown> =>
  typeof value === 'string' ? { stringValue: value } : typeof value === 'boolean' ? { boolValue: value } : Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };

/**
 * Spans in the OpenTelemetry model, exported in batches as OTLP/HTTP JSON to
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (+ `/v1/traces`) when that is set. The current span lives in the
 * log context, so every log line carries its trace id and the outbox writes it into Kafka
 * headers; a consumer continues the same trace. Attributes hold ids and codes, never patient data.
 */
export class SpanExporter {
  private readonly logger = createLogger(SpanExporter.name);
  private readonly queue: FinishedSpan[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly endpoint: string | undefined,
    private readonly serviceName: string,
    private readonly maxBatch = 512,
    private readonly flushMs = 1000,
  ) {}

  get enabled(): boolean {
    return this.endpoint !== undefined;
  }

  add(span: FinishedSpan): void {
    if (!this.enabled) {
      return;
    }
    this.queue.push(span);
    if (this.queue.length >= this.maxBatch) {
      void this.flush();
    } else {
      this.timer ??= setTimeout(() => void this.flush(), this.flushMs).unref();
    }
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue.splice(0, this.queue.length);
    if (batch.length === 0 || !this.endpoint) {
      return;
    }
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: this.serviceName } }] },
          scopeSpans: [
            {
              scope: { name: 'synchronized-care' },
              spans: batch.map((span) => ({
                traceId: span.context.traceId,
                spanId: span.context.spanId,
                parentSpanId: span.parentSpanId ?? '',
                name: span.name,
                kind: span.kind,
                startTimeUnixNano: span.startNs.toString(),
                endTimeUnixNano: span.endNs.toString(),
                attributes: Object.entries(span.attributes).map(([key, value]) => ({ key, value: otlpValue(value) })),
                status: span.error ? { code: 2, message: span.error } : { code: 1 },
              })),
            },
          ],
        },
      ],
    };
    try {
      await fetch(`${this.endpoint.replace(/\/$/, '')}/v1/traces`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5000),
      });
    } catch (error) {
      this.logger.debug({ err: error, spans: batch.length }, 'span export failed; spans dropped');
    }
  }
}

let exporter: SpanExporter | undefined;

function spanExporter(): SpanExporter {
  exporter ??= new SpanExporter(process.env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined, process.env.OTEL_SERVICE_NAME ?? process.env.SERVICE_NAME ?? 'synchronized-care');
  return exporter;
}

export function flushSpans(): Promise<void> {
  return spanExporter().flush();
}

const ignoreAttribute = (): void => undefined;

export interface SpanOptions {
  kind?: SpanKind;
  /** Continue this trace (e.g. from a Kafka header) instead of the current one. */
  parent?: TraceContext;
  attributes?: Record<string, AttributeValue>;
  /** Ids the span's log lines carry besides the trace's (an event's id and correlation id). */
  logContext?: Omit<LogContext, 'trace'>;
}

/** Runs `work` in a new span (child of `parent`, else of the current span); ids reach every log line inside. */
export async function withSpan<T>(name: string, options: SpanOptions, work: (span: { setAttribute(key: string, value: AttributeValue): void; traceId: string }) => Promise<T>): Promise<T> {
  const parent = options.parent ?? currentLogContext()?.trace;
  const context = childSpan(parent);
  if (!spanExporter().enabled) {
    // Nothing will be exported: keep the ids, which log lines and the outbox's traceparent carry.
    return runWithLogContext({ ...options.logContext, trace: context }, () => work({ setAttribute: ignoreAttribute, traceId: context.traceId }));
  }
  const attributes: Record<string, AttributeValue> = { ...options.attributes };
  const startNs = nowNs();
  let error: string | undefined;
  try {
    return await runWithLogContext({ ...options.logContext, trace: context }, () => work({ setAttribute: (key, value) => (attributes[key] = value), traceId: context.traceId }));
  } catch (thrown) {
    error = thrown instanceof Error ? thrown.name : 'error';
    throw thrown;
  } finally {
    spanExporter().add({ context, parentSpanId: parent?.spanId, name, kind: options.kind ?? SpanKind.Internal, startNs, endNs: nowNs(), attributes, error });
  }
}

import { randomFillSync } from 'node:crypto';

/** W3C trace context (https://www.w3.org/TR/trace-context/), carried in Kafka headers and log lines. */
export interface TraceContext {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function parseTraceparent(header: string | undefined): TraceContext | undefined {
  const match = header ? TRACEPARENT.exec(header.trim()) : null;
  if (!match) {
    return undefined;
  }
  return { traceId: match[1], spanId: match[2], sampled: (parseInt(match[3], 16) & 1) === 1 };
}

export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${context.sampled ? '01' : '00'}`;
}

// Every message and event opens spans; one call into the CSPRNG per id cost more than the rest of
// the span, so ids are cut from a buffer refilled 4 KiB at a time.
const idPool = Buffer.alloc(4096);
let idPoolOffset = idPool.length;

/** `bytes` random bytes as lower-case hex (W3C ids: 16 for a trace, 8 for a span; never all zero in practice). */
export function randomHexId(bytes: 8 | 16): string {
  if (idPoolOffset + bytes > idPool.length) {
    randomFillSync(idPool);
    idPoolOffset = 0;
  }
  const id = idPool.toString('hex', idPoolOffset, idPoolOffset + bytes);
  idPoolOffset += bytes;
  return id;
}

/** A new span in the given trace, or the root of a new trace. */
export function childSpan(parent: TraceContext | undefined): TraceContext {
  return {
    traceId: parent?.traceId ?? randomHexId(16),
    spanId: randomHexId(8),
    sampled: parent?.sampled ?? true,
  };
}

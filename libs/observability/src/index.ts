export { createLogger, rootLogger, loggerOptions, NestPinoLogger } from './logger';
export { serializeError, safeErrorMessage, isDatabaseError, type SerializedError } from './error-serializer';
export { runWithLogContext, currentLogContext, type LogContext } from './log-context';
export type { Logger } from 'pino';
export { parseTraceparent, formatTraceparent, childSpan, type TraceContext } from './trace-context';
export { MetricsRegistry, Counter, Histogram, CollectedGauge, LATENCY_BUCKETS } from './metrics';
export { SpanKind, withSpan, flushSpans, type SpanOptions } from './tracing';

import type { TraceContext } from './trace-context';
import { AsyncLocalStorage } from 'node:async_hooks';

/** Ids that every log line within a unit of work should carry (never patient data). */
export interface LogContext {
  correlationId?: string;
  eventId?: string;
  messageControlId?: string;
  /** The current span, propagated to Kafka headers as `traceparent`. */
  trace?: TraceContext;
}

const storage = new AsyncLocalStorage<LogContext>();

export function runWithLogContext<T>(context: LogContext, work: () => T): T {
  return storage.run({ ...storage.getStore(), ...context }, work);
}

export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}

/**
 * How the Kafka transport treats a handler failure: a retryable error is tried again with
 * backoff a bounded number of times, anything else goes straight to the dead-letter topic.
 * Domain errors declare it through `retryable`; unknown errors (a deadlock) are assumed
 * transient. An unreachable database says nothing about the event, so it is waited out
 * (`wait`): retried without limit and never dead-lettered.
 */
export type FailureDecision = 'retry' | 'wait' | 'dead-letter';

/** SQLSTATE classes and codes meaning PostgreSQL is unreachable, restarting or out of connections. */
const UNAVAILABLE_SQLSTATES = /^(08|57P0[1-3]|53300)/;
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGES = /Connection terminated|connection timeout|Client has encountered a connection error|terminating connection/i;

/** True when the error says the database (or the network to it) is down rather than the event being wrong. */
export function isInfrastructureUnavailable(error: unknown): boolean {
  for (let cause: unknown = error, depth = 0; cause !== null && typeof cause === 'object' && depth < 4; depth += 1) {
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (UNAVAILABLE_SOCKET_CODES.has(code) || UNAVAILABLE_SQLSTATES.test(code))) {
      return true;
    }
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) {
      return true;
    }
    // TypeORM keeps pg's error as driverError; others nest it as cause.
    cause = (cause as { driverError?: unknown; cause?: unknown }).driverError ?? (cause as { cause?: unknown }).cause;
  }
  return false;
}

export interface ClassifiedError {
  retryable: boolean;
  code?: string;
}

function isClassified(error: unknown): error is ClassifiedError {
  return typeof error === 'object' && error !== null && typeof (error as { retryable?: unknown }).retryable === 'boolean';
}

export function decideOnFailure(error: unknown): FailureDecision {
  if (isInfrastructureUnavailable(error)) {
    return 'wait';
  }
  if (isClassified(error)) {
    return error.retryable ? 'retry' : 'dead-letter';
  }
  return 'retry';
}

export function errorCode(error: unknown): string {
  if (isClassified(error) && error.code) {
    return error.code;
  }
  return error instanceof Error ? error.name : 'UNKNOWN';
}

/** An event whose content a handler cannot act on (bad data, unsupported version): never retried. */
export class UnprocessableEventError extends Error implements ClassifiedError {
  readonly retryable = false;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = UnprocessableEventError.name;
  }
}

/** Exponential backoff with full jitter, capped. */
export function backoffDelay(attempt: number, baseMs: number, maxMs = 10_000): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/**
 * How the Kafka transport treats a handler failure: a retryable error is tried again with
 * backoff, anything else goes straight to the dead-letter topic. Domain errors declare it
 * through `retryable`; unknown errors (a lost connection, a deadlock) are assumed transient.
 */
export type FailureDecision = 'retry' | 'dead-letter';

export interface ClassifiedError {
  retryable: boolean;
  code?: string;
}

function isClassified(error: unknown): error is ClassifiedError {
  return typeof error === 'object' && error !== null && typeof (error as { retryable?: unknown }).retryable === 'boolean';
}

export function decideOnFailure(error: unknown): FailureDecision {
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

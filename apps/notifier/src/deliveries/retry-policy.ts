import { backoffDelay } from '@sc/messaging';

export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

/** What a channel reports for one send. */
export type SendResult =
  | { kind: 'delivered' }
  | { kind: 'failed'; code: string; retryable: boolean }
  /** Not tried (an endpoint's circuit is open); the attempt does not count. */
  | { kind: 'postponed'; until: Date };

export type FailureStep = { kind: 'retry'; at: Date } | { kind: 'dead-letter' };

/**
 * After a failed send: retry with exponential backoff and jitter while attempts remain and the
 * failure can heal; otherwise the delivery is dead-lettered (status `failed`) for a person to see.
 */
export function afterFailure(attempts: number, retryable: boolean, policy: RetryPolicy, now: Date): FailureStep {
  if (!retryable || attempts >= policy.maxAttempts) {
    return { kind: 'dead-letter' };
  }
  return { kind: 'retry', at: new Date(now.getTime() + backoffDelay(attempts, policy.baseMs, policy.maxMs)) };
}

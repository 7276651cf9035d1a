/**
 * A circuit per webhook endpoint, kept in PostgreSQL so every notifier instance sees it and a
 * restart keeps it. Closed: sends go out. After `threshold` consecutive transient failures it
 * opens for `openMs`: sends wait without using up their attempts. Then it is half-open: one
 * instance takes the single probe; success closes it, failure opens it again.
 */
export interface CircuitPolicy {
  threshold: number;
  openMs: number;
}

export interface CircuitSnapshot {
  consecutiveFailures: number;
  openUntil: Date | null;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export function circuitState(snapshot: CircuitSnapshot, now: Date, policy: CircuitPolicy): CircuitState {
  if (snapshot.openUntil && snapshot.openUntil.getTime() > now.getTime()) {
    return 'open';
  }
  return snapshot.consecutiveFailures >= policy.threshold ? 'half-open' : 'closed';
}

export function opensAfter(consecutiveFailures: number, policy: CircuitPolicy): boolean {
  return consecutiveFailures >= policy.threshold;
}

export const reopenAt = (now: Date, policy: CircuitPolicy): Date => new Date(now.getTime() + policy.openMs);

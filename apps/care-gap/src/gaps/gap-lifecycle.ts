import type { CareGapStatus } from '@sc/contracts';

export const TERMINAL_STATUSES: readonly CareGapStatus[] = ['closed', 'dismissed'];
export const OPEN_STATUSES: readonly CareGapStatus[] = ['open', 'coverage-verified', 'ordered', 'delivered'];

/** open -> coverage-verified -> ordered -> delivered -> closed; any open state may be dismissed. */
const NEXT: Record<CareGapStatus, readonly CareGapStatus[]> = {
  open: ['coverage-verified', 'dismissed'],
  'coverage-verified': ['ordered', 'dismissed'],
  ordered: ['delivered', 'dismissed'],
  delivered: ['closed', 'dismissed'],
  closed: [],
  dismissed: [],
};

export function isTerminal(status: CareGapStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Why a person may not move a gap from `from` to `to`, or null when the step is allowed. */
export function transitionProblem(from: CareGapStatus, to: CareGapStatus): string | null {
  if (isTerminal(from)) {
    return `the gap is already ${from}`;
  }
  if (!NEXT[from].includes(to)) {
    return `a gap that is ${from} can move to ${NEXT[from].join(' or ')}, not ${to}`;
  }
  return null;
}

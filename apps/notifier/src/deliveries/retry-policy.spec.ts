import { afterFailure } from './retry-policy';

describe(afterFailure.name, () => {
  const policy = { maxAttempts: 5, baseMs: 1000, maxMs: 10_000 };
  const now = new Date('2026-11-20T12:00:00Z');
  const delayOf = (attempts: number): number => {
    const step = afterFailure(attempts, true, policy, now);
    if (step.kind !== 'retry') {
      throw new Error('expected a retry');
    }
    return step.at.getTime() - now.getTime();
  };

  it('backs off exponentially with jitter, capped', () => {
    for (let run = 0; run < 50; run += 1) {
      expect(delayOf(1)).toBeGreaterThanOrEqual(500);
      expect(delayOf(1)).toBeLessThanOrEqual(1000);
      expect(delayOf(3)).toBeGreaterThanOrEqual(2000);
      expect(delayOf(3)).toBeLessThanOrEqual(4000);
      expect(delayOf(4)).toBeLessThanOrEqual(8000);
    }
    expect(afterFailure(4, true, { ...policy, maxMs: 3000 }, now)).toMatchObject({ kind: 'retry' });
    const capped = afterFailure(4, true, { ...policy, maxMs: 3000 }, now);
    expect(capped.kind === 'retry' && capped.at.getTime() - now.getTime()).toBeLessThanOrEqual(3000);
  });

  it('dead-letters after the last attempt', () => {
    expect(afterFailure(5, true, policy, now)).toEqual({ kind: 'dead-letter' });
  });

  it('dead-letters at once when the failure cannot heal (e.g. the endpoint answered 410)', () => {
    expect(afterFailure(1, false, policy, now)).toEqual({ kind: 'dead-letter' });
  });
});

import { circuitState, opensAfter } from './circuit-breaker';

describe('webhook circuit breaker', () => {
  const policy = { threshold: 3, openMs: 1000 };
  const now = new Date('2026-11-20T12:00:00Z');

  it('stays closed below the failure threshold', () => {
    expect(circuitState({ consecutiveFailures: 2, openUntil: null }, now, policy)).toBe('closed');
    expect(opensAfter(2, policy)).toBe(false);
  });

  it('opens at the threshold and holds sends back until the open period ends', () => {
    expect(opensAfter(3, policy)).toBe(true);
    expect(circuitState({ consecutiveFailures: 3, openUntil: new Date(now.getTime() + 1) }, now, policy)).toBe('open');
  });

  it('is half-open once the open period ended without a success', () => {
    expect(circuitState({ consecutiveFailures: 3, openUntil: now }, now, policy)).toBe('half-open');
  });
});

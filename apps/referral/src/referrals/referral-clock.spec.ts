import { referralClock, slaStepApplies, slaTimers } from './referral-clock';

const HOUR = 3_600_000;
const discharge = new Date('2026-11-18T10:00:00Z');

describe('referralClock', () => {
  it('starts at the discharge and is due within the type target, capped by the discharge window', () => {
    const now = new Date(discharge.getTime() + HOUR);
    expect(referralClock({ type: 'dme-order', clockStart: discharge, now, windowHours: 72, severity: null }).dueAt).toEqual(new Date(discharge.getTime() + 24 * HOUR));
    expect(referralClock({ type: 'wellness-program', clockStart: discharge, now, windowHours: 72, severity: null }).dueAt).toEqual(
      new Date(discharge.getTime() + 72 * HOUR),
    );
    expect(referralClock({ type: 'wellness-program', clockStart: discharge, now, windowHours: 48, severity: null }).dueAt).toEqual(
      new Date(discharge.getTime() + 48 * HOUR),
    );
  });

  it('gives each type its base priority, raised by a high-severity gap', () => {
    const now = new Date(discharge.getTime() + HOUR);
    expect(referralClock({ type: 'in-home-nursing', clockStart: discharge, now, windowHours: 72, severity: null }).priority).toBe('high');
    expect(referralClock({ type: 'social-needs', clockStart: discharge, now, windowHours: 72, severity: null }).priority).toBe('routine');
    expect(referralClock({ type: 'social-needs', clockStart: discharge, now, windowHours: 72, severity: 'high' }).priority).toBe('high');
  });

  it('creates a late source already urgent, or overdue, never with a fresh clock', () => {
    const late = referralClock({ type: 'dme-order', clockStart: discharge, now: new Date(discharge.getTime() + 20 * HOUR), windowHours: 72, severity: null });
    expect(late).toMatchObject({ priority: 'urgent', overdueOnArrival: false });
    const overdue = referralClock({ type: 'dme-order', clockStart: discharge, now: new Date(discharge.getTime() + 30 * HOUR), windowHours: 72, severity: null });
    expect(overdue).toMatchObject({ priority: 'urgent', overdueOnArrival: true, dueAt: new Date(discharge.getTime() + 24 * HOUR) });
  });
});

describe('slaTimers', () => {
  const now = new Date('2026-11-18T12:00:00Z');

  it('escalates the lead time before the deadline and breaches at it', () => {
    const due = new Date(now.getTime() + 24 * HOUR);
    expect(slaTimers(now, due, 240)).toEqual([
      { step: 'escalation', fireAt: new Date(due.getTime() - 4 * HOUR) },
      { step: 'breach', fireAt: due },
    ]);
  });

  it('escalates at once when already inside the lead time, and only breaches when already overdue', () => {
    const soon = new Date(now.getTime() + HOUR);
    expect(slaTimers(now, soon, 240)).toEqual([
      { step: 'escalation', fireAt: now },
      { step: 'breach', fireAt: soon },
    ]);
    const past = new Date(now.getTime() - HOUR);
    expect(slaTimers(now, past, 240)).toEqual([{ step: 'breach', fireAt: past }]);
  });

  it('counts the SLA as met once the work is arranged or closed', () => {
    expect(['new', 'claimed', 'in-progress'].every((status) => slaStepApplies(status as 'new'))).toBe(true);
    expect(['scheduled', 'ordered', 'completed', 'declined', 'cancelled'].some((status) => slaStepApplies(status as 'new'))).toBe(false);
  });
});

import { escalationTimers, stepApplies } from './escalation-ladder';

const settings = { reminderMinutes: 120, teamLeadHours: 18, clocks: ['follow-up-24h'] as const };
const discharge = new Date('2026-11-20T20:25:00.000Z');
const due = new Date('2026-11-21T20:25:00.000Z');
const tcmDue = new Date('2026-11-25T06:00:00.000Z');
const deadlines = [
  { clock: 'follow-up-24h' as const, dueAt: due },
  { clock: 'tcm-interactive-contact' as const, dueAt: tcmDue },
];

describe(escalationTimers.name, () => {
  it('reminds 2 h after creation, escalates to the team lead 18 h after discharge, and breaches at the deadline', () => {
    const created = new Date('2026-11-20T20:26:00.000Z');
    expect(escalationTimers(created, discharge, deadlines, settings)).toEqual([
      { step: 'reminder', clock: 'follow-up-24h', fireAt: new Date('2026-11-20T22:26:00.000Z') },
      { step: 'team-lead', clock: 'follow-up-24h', fireAt: new Date('2026-11-21T14:25:00.000Z') },
      { step: 'breach', clock: 'follow-up-24h', fireAt: due },
    ]);
  });

  it('runs the team-lead and breach rungs against every configured clock, each at its own deadline', () => {
    const timers = escalationTimers(discharge, discharge, deadlines, { ...settings, clocks: ['tcm-interactive-contact'] });
    expect(timers.filter((timer) => timer.step !== 'reminder')).toEqual([
      { step: 'team-lead', clock: 'tcm-interactive-contact', fireAt: new Date('2026-11-21T14:25:00.000Z') },
      { step: 'breach', clock: 'tcm-interactive-contact', fireAt: tcmDue },
    ]);
  });

  it('gives a discharge that arrives 30 hours late rungs in the past, so they fire at once', () => {
    const created = new Date('2026-11-22T02:25:00.000Z');
    const timers = escalationTimers(created, discharge, deadlines, settings);
    expect(timers.filter((timer) => timer.step !== 'reminder').every((timer) => timer.fireAt < created)).toBe(true);
  });
});

describe(stepApplies.name, () => {
  it('skips the reminder once acknowledged but still escalates work that is not done', () => {
    expect(stepApplies('reminder', 'acknowledged', false)).toBe(false);
    expect(stepApplies('team-lead', 'acknowledged', false)).toBe(true);
    expect(stepApplies('breach', 'completed', false)).toBe(false);
  });

  it('does not escalate a clock that is already met', () => {
    expect(stepApplies('team-lead', 'acknowledged', true)).toBe(false);
    expect(stepApplies('breach', 'open', true)).toBe(false);
  });
});

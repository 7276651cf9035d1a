import { escalationTimers, stepApplies } from './escalation-ladder';

const settings = { reminderMinutes: 120, teamLeadHours: 18 };

describe(escalationTimers.name, () => {
  it('reminds 2 h after creation, escalates to the team lead 18 h after discharge, and breaches at the deadline', () => {
    const discharge = new Date('2026-11-20T20:25:00.000Z');
    const created = new Date('2026-11-20T20:26:00.000Z');
    const due = new Date('2026-11-21T20:25:00.000Z');
    expect(escalationTimers(created, discharge, due, settings)).toEqual([
      { step: 'reminder', fireAt: new Date('2026-11-20T22:26:00.000Z') },
      { step: 'team-lead', fireAt: new Date('2026-11-21T14:25:00.000Z') },
      { step: 'breach', fireAt: due },
    ]);
  });

  it('gives a discharge that arrives 30 hours late rungs in the past, so they fire at once', () => {
    const discharge = new Date('2026-11-20T20:25:00.000Z');
    const created = new Date('2026-11-22T02:25:00.000Z');
    const timers = escalationTimers(created, discharge, new Date('2026-11-21T20:25:00.000Z'), settings);
    expect(timers.filter((timer) => timer.step !== 'reminder').every((timer) => timer.fireAt < created)).toBe(true);
  });
});

describe(stepApplies.name, () => {
  it('skips the reminder once acknowledged but still escalates work that is not done', () => {
    expect(stepApplies('reminder', 'acknowledged')).toBe(false);
    expect(stepApplies('team-lead', 'acknowledged')).toBe(true);
    expect(stepApplies('breach', 'completed')).toBe(false);
  });
});

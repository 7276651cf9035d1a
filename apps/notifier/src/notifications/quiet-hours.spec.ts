import { quietHoursEnd } from './quiet-hours';

describe(quietHoursEnd.name, () => {
  const night = { start: '22:00', end: '07:00', timeZone: 'America/Chicago' };

  it('is null outside the window', () => {
    // 12:00 in Chicago (UTC-6 in November).
    expect(quietHoursEnd(new Date('2026-11-20T18:00:00Z'), night)).toBeNull();
    expect(quietHoursEnd(new Date('2026-11-20T13:00:00Z'), night)).toBeNull(); // 07:00 exactly: the end is exclusive
  });

  it('ends the same night window the next local morning when it wraps midnight', () => {
    // 23:30 in Chicago -> 07:00 the next day, 13:00Z.
    expect(quietHoursEnd(new Date('2026-11-21T05:30:12Z'), night)?.toISOString()).toBe('2026-11-21T13:00:00.000Z');
    // 02:15 in Chicago -> 07:00 the same day.
    expect(quietHoursEnd(new Date('2026-11-21T08:15:00Z'), night)?.toISOString()).toBe('2026-11-21T13:00:00.000Z');
  });

  it('handles a window within one day', () => {
    const lunch = { start: '12:00', end: '13:30', timeZone: 'UTC' };
    expect(quietHoursEnd(new Date('2026-11-20T12:45:00Z'), lunch)?.toISOString()).toBe('2026-11-20T13:30:00.000Z');
    expect(quietHoursEnd(new Date('2026-11-20T11:59:59Z'), lunch)).toBeNull();
  });

  it('lands on the local end time across a daylight saving change', () => {
    // Night of 7-8 March 2026: Chicago moves from UTC-6 to UTC-5 at 02:00. 23:00 local = 05:00Z.
    expect(quietHoursEnd(new Date('2026-03-08T05:00:00Z'), night)?.toISOString()).toBe('2026-03-08T12:00:00.000Z');
  });

  it('treats an empty window (start equals end) as no quiet hours', () => {
    expect(quietHoursEnd(new Date('2026-11-20T12:00:00Z'), { start: '09:00', end: '09:00', timeZone: 'UTC' })).toBeNull();
  });
});

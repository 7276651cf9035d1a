import { calendarFor, clockStatus, dischargeClocks, endOfBusinessDaysAfter, type BusinessCalendar } from './regulatory-clocks';

const utc: BusinessCalendar = { timeZone: 'UTC', holidays: new Set() };
const chicago: BusinessCalendar = { timeZone: 'America/Chicago', holidays: new Set() };

describe(endOfBusinessDaysAfter.name, () => {
  it('gives a Tuesday discharge until the end of Thursday', () => {
    expect(endOfBusinessDaysAfter(new Date('2026-11-17T10:00:00Z'), 2, utc)).toEqual(new Date('2026-11-20T00:00:00Z'));
  });

  it('skips the weekend for a discharge late on a Friday: the deadline is the end of Tuesday', () => {
    // 22:30 on Friday 20 November in Chicago is already Saturday in UTC.
    expect(endOfBusinessDaysAfter(new Date('2026-11-21T04:30:00Z'), 2, chicago)).toEqual(new Date('2026-11-25T06:00:00Z'));
  });

  it('counts business days in the facility’s time zone, not in UTC', () => {
    // 20:00 on Thursday 19 November in Chicago is Friday in UTC.
    const discharge = new Date('2026-11-20T02:00:00Z');
    expect(endOfBusinessDaysAfter(discharge, 2, chicago)).toEqual(new Date('2026-11-24T06:00:00Z'));
    expect(endOfBusinessDaysAfter(discharge, 2, utc)).toEqual(new Date('2026-11-25T00:00:00Z'));
  });

  it('skips the facility’s holidays', () => {
    const thanksgiving: BusinessCalendar = { timeZone: 'America/Chicago', holidays: new Set(['2026-11-26', '2026-11-27']) };
    const discharge = new Date('2026-11-25T15:00:00Z');
    expect(endOfBusinessDaysAfter(discharge, 2, chicago)).toEqual(new Date('2026-11-28T06:00:00Z'));
    expect(endOfBusinessDaysAfter(discharge, 2, thanksgiving)).toEqual(new Date('2026-12-02T06:00:00Z'));
  });

  it('ends the day at local midnight after the clocks go forward', () => {
    // Friday 6 March 2026 in Chicago (CST); DST starts on Sunday 8 March, so Wednesday begins at 05:00Z.
    expect(endOfBusinessDaysAfter(new Date('2026-03-06T20:00:00Z'), 2, chicago)).toEqual(new Date('2026-03-11T05:00:00Z'));
  });
});

describe(dischargeClocks.name, () => {
  it('runs the 24-hour follow-up, TCM contact in 2 business days, face-to-face in 7 and 14 days and HEDIS through discharge day + 30', () => {
    const discharge = new Date('2026-11-21T04:30:00Z');
    const followUp = new Date('2026-11-22T04:30:00Z');
    expect(dischargeClocks(discharge, followUp, chicago)).toEqual([
      { clock: 'follow-up-24h', dueAt: followUp },
      { clock: 'tcm-interactive-contact', dueAt: new Date('2026-11-25T06:00:00Z') },
      { clock: 'tcm-face-to-face-7d', dueAt: new Date('2026-11-28T06:00:00Z') },
      { clock: 'tcm-face-to-face-14d', dueAt: new Date('2026-12-05T06:00:00Z') },
      { clock: 'hedis-medication-reconciliation', dueAt: new Date('2026-12-21T06:00:00Z') },
      { clock: 'hedis-engagement', dueAt: new Date('2026-12-21T06:00:00Z') },
    ]);
  });
});

describe(clockStatus.name, () => {
  const due = new Date('2026-11-25T06:00:00Z');

  it('is met when the evidence came before the deadline and met late after it', () => {
    expect(clockStatus(due, new Date('2026-11-25T05:59:59Z'), new Date('2026-12-01T00:00:00Z'))).toBe('met');
    expect(clockStatus(due, due, due)).toBe('met-late');
  });

  it('runs until the deadline, then is missed', () => {
    expect(clockStatus(due, null, new Date('2026-11-25T05:00:00Z'))).toBe('running');
    expect(clockStatus(due, null, due)).toBe('missed');
  });
});

describe(calendarFor.name, () => {
  const settings = { FACILITY_TIME_ZONES: { LGH: 'America/Chicago' }, DEFAULT_TIME_ZONE: 'America/New_York', BUSINESS_HOLIDAYS: ['2026-12-25'] };

  it('takes the sending facility’s time zone, else the default, with the configured holidays', () => {
    expect(calendarFor('LGH', settings)).toEqual({ timeZone: 'America/Chicago', holidays: new Set(['2026-12-25']) });
    expect(calendarFor('NSH', settings).timeZone).toBe('America/New_York');
  });
});

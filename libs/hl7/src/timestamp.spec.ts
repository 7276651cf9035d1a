import { formatHl7Timestamp, isValidTimeZone, parseHl7Date, parseHl7Timestamp } from './timestamp';

describe(parseHl7Timestamp.name, () => {
  it.each([
    ['2026', '2026-01-01T00:00:00.000Z'],
    ['202611', '2026-11-01T00:00:00.000Z'],
    ['20261120', '2026-11-20T00:00:00.000Z'],
    ['2026112014', '2026-11-20T14:00:00.000Z'],
    ['202611201431', '2026-11-20T14:31:00.000Z'],
    ['20261120143105', '2026-11-20T14:31:05.000Z'],
    ['20261120143105.1', '2026-11-20T14:31:05.100Z'],
    ['20261120143105.12', '2026-11-20T14:31:05.120Z'],
    ['20261120143105.123', '2026-11-20T14:31:05.123Z'],
    ['20261120143105.1239', '2026-11-20T14:31:05.123Z'],
    ['0050', '0050-01-01T00:00:00.000Z'],
  ])('reads the precision of %s', (value, iso) => {
    expect(parseHl7Timestamp(value)).toBe(iso);
  });

  it.each([
    ['20261120143100-0600', '2026-11-20T20:31:00.000Z'],
    ['20261120143100+0530', '2026-11-20T09:01:00.000Z'],
    ['20261120143100.5+0000', '2026-11-20T14:31:00.500Z'],
    ['20261120-0600', '2026-11-20T06:00:00.000Z'],
    ['2026-0100', '2026-01-01T01:00:00.000Z'],
  ])('applies the offset of %s', (value, iso) => {
    expect(parseHl7Timestamp(value)).toBe(iso);
  });

  it('prefers an explicit offset over the time zone', () => {
    expect(parseHl7Timestamp('20261120143100+0000', { timeZone: 'America/Chicago' })).toBe('2026-11-20T14:31:00.000Z');
  });

  it('reads values without an offset in the given time zone, DST included', () => {
    expect(parseHl7Timestamp('20261120143100', { timeZone: 'America/Chicago' })).toBe('2026-11-20T20:31:00.000Z');
    expect(parseHl7Timestamp('20260701120000', { timeZone: 'America/Chicago' })).toBe('2026-07-01T17:00:00.000Z');
    expect(parseHl7Timestamp('20260101000000', { timeZone: 'Asia/Kolkata' })).toBe('2025-12-31T18:30:00.000Z');
    expect(parseHl7Timestamp('2026', { timeZone: 'Pacific/Auckland' })).toBe('2025-12-31T11:00:00.000Z');
  });

  it('reads a repeated local hour (DST ends) as its first, earlier occurrence', () => {
    expect(parseHl7Timestamp('202611010130', { timeZone: 'America/Chicago' })).toBe('2026-11-01T06:30:00.000Z');
    expect(parseHl7Timestamp('202611010230', { timeZone: 'America/Chicago' })).toBe('2026-11-01T08:30:00.000Z');
    expect(parseHl7Timestamp('202604050230', { timeZone: 'Australia/Sydney' })).toBe('2026-04-04T15:30:00.000Z');
  });

  it('reads a skipped local hour (DST starts) as the earlier of the two candidate instants', () => {
    expect(parseHl7Timestamp('202603080230', { timeZone: 'America/Chicago' })).toBe('2026-03-08T07:30:00.000Z');
    expect(parseHl7Timestamp('202603080300', { timeZone: 'America/Chicago' })).toBe('2026-03-08T08:00:00.000Z');
    expect(parseHl7Timestamp('202610040230', { timeZone: 'Australia/Sydney' })).toBe('2026-10-03T15:30:00.000Z');
  });

  it.each(['', 'abcd', '2026-11-20', '20261', '20261320', '20260230', '20261120246000', '20261120236000', '202611201431.5', '20261120143100.12345', '20261120143100+2500', '20261120143100-06', ' 2026 11'])(
    'rejects %p',
    (value) => {
      expect(parseHl7Timestamp(value)).toBeUndefined();
    },
  );

  it('accepts 29 February only in leap years', () => {
    expect(parseHl7Timestamp('20280229')).toBe('2028-02-29T00:00:00.000Z');
    expect(parseHl7Timestamp('20270229')).toBeUndefined();
  });

  it('throws a RangeError for an unknown time zone', () => {
    expect(() => parseHl7Timestamp('2026', { timeZone: 'Mars/Olympus_Mons' })).toThrow(RangeError);
  });
});

describe(parseHl7Date.name, () => {
  it('keeps the calendar date as written, whatever the time and offset', () => {
    expect(parseHl7Date('19680412')).toBe('1968-04-12');
    expect(parseHl7Date('19680412233000-1000')).toBe('1968-04-12');
  });

  it('keeps reduced precision', () => {
    expect(parseHl7Date('196804')).toBe('1968-04');
    expect(parseHl7Date('1968')).toBe('1968');
  });

  it('rejects impossible dates', () => {
    expect(parseHl7Date('19680230')).toBeUndefined();
    expect(parseHl7Date('1968-04-12')).toBeUndefined();
  });
});

describe(formatHl7Timestamp.name, () => {
  it('writes UTC with milliseconds and a +0000 offset that parses back', () => {
    const formatted = formatHl7Timestamp(new Date('2026-11-20T20:31:00.123Z'));

    expect(formatted).toBe('20261120203100.123+0000');
    expect(parseHl7Timestamp(formatted)).toBe('2026-11-20T20:31:00.123Z');
  });
});

describe(isValidTimeZone.name, () => {
  it('knows IANA zones and nothing else', () => {
    expect(isValidTimeZone('America/Chicago')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Central Time')).toBe(false);
  });
});

/**
 * HL7 DTM: `YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]`. Fractions below a millisecond are
 * truncated, since the ISO strings we produce carry milliseconds.
 * @see https://hl7-definition.caristix.com/v2/HL7v2.5.1/DataTypes/DTM
 */
const DTM = /^(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d{1,4}))?)?)?)?)?)?(?:([+-])(\d{2})(\d{2}))?$/;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export interface Hl7TimestampOptions {
  /** IANA zone for a value without an offset; UTC when omitted. */
  readonly timeZone?: string;
}

/**
 * Reads an HL7 DTM (any precision, optional `+/-ZZZZ`) and returns the instant as an ISO-8601 UTC
 * string with milliseconds, or `undefined` when the value is not a valid DTM.
 *
 * Missing parts default to the start of the period (`2026` is 2026-01-01T00:00 local). A value
 * without an offset is read in `options.timeZone`. Local times that happen twice (the hour
 * repeated when DST ends) or never (the hour skipped when DST starts) resolve to the earlier of
 * the two candidate instants, like Temporal's `disambiguation: 'earlier'`: in America/Chicago,
 * 01:30 on the day DST ends is read as CDT (06:30Z, the first 01:30), and 02:30 on the day DST
 * starts, which does not exist, as 07:30Z (read with the CDT offset; the clock showed 01:30 CST).
 *
 * @throws RangeError when `options.timeZone` is not a known IANA zone (a configuration error).
 */
export function parseHl7Timestamp(value: string, options: Hl7TimestampOptions = {}): string | undefined {
  const match = DTM.exec(value.trim());
  if (!match) {
    return undefined;
  }
  const [, year, month = '01', day = '01', hour = '00', minute = '00', second = '00', fraction = '', sign, offsetHours, offsetMinutes] = match;
  const fields = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second),
    millisecond: Number(fraction.padEnd(3, '0').slice(0, 3)),
  };
  if (!isValidWallTime(fields)) {
    return undefined;
  }
  const wallClockMs = utcMillis(fields);
  if (sign === undefined) {
    return new Date(wallClockToInstant(wallClockMs, options.timeZone ?? 'UTC')).toISOString();
  }
  const hours = Number(offsetHours);
  const minutes = Number(offsetMinutes);
  if (hours > 14 || minutes > 59) {
    return undefined;
  }
  const offsetMs = (sign === '-' ? -1 : 1) * (hours * 60 + minutes) * MINUTE_MS;
  return new Date(wallClockMs - offsetMs).toISOString();
}

/**
 * Reads the date part of an HL7 DT/DTM as written, without any time-zone conversion (a birth date
 * is a calendar date): `YYYY-MM-DD`, or the reduced precision `YYYY-MM` / `YYYY` the sender used.
 */
export function parseHl7Date(value: string): string | undefined {
  const match = DTM.exec(value.trim());
  if (!match) {
    return undefined;
  }
  const [, year, month, day] = match;
  const fields = { year: Number(year), month: Number(month ?? '01'), day: Number(day ?? '01') };
  if (!isValidWallTime({ ...fields, hour: 0, minute: 0, second: 0, millisecond: 0 })) {
    return undefined;
  }
  return [year, month, day].filter((part) => part !== undefined).join('-');
}

/** Formats an instant as an HL7 DTM in UTC with milliseconds, e.g. `20261120203100.000+0000`. */
export function formatHl7Timestamp(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 23)}+0000`;
}

/** Whether the runtime knows this IANA time-zone name; use it to validate configuration at boot. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
}

function isValidWallTime({ year, month, day, hour, minute, second }: WallTime): boolean {
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) {
    return false;
  }
  const daysInMonth = new Date(utcMillis({ year, month: month + 1, day: 0, hour: 0, minute: 0, second: 0, millisecond: 0 })).getUTCDate();
  return day >= 1 && day <= daysInMonth;
}

/** Date.UTC, except that years 0-99 are not moved to the 1900s. */
function utcMillis({ year, month, day, hour, minute, second, millisecond }: WallTime): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millisecond);
  return date.getTime();
}

/**
 * The instant at which the clock in `timeZone` shows `wallClockMs` (read as if it were UTC).
 * Candidate offsets are those in force a day either side; a candidate is real when the zone has
 * that offset at the resulting instant. No real candidate means a skipped hour, two mean a
 * repeated hour; either way the earliest instant wins.
 */
function wallClockToInstant(wallClockMs: number, timeZone: string): number {
  if (timeZone === 'UTC') {
    return wallClockMs;
  }
  const offsets = new Set([wallClockMs - DAY_MS, wallClockMs, wallClockMs + DAY_MS].map((at) => offsetAt(at, timeZone)));
  const candidates = [...offsets].map((offset) => wallClockMs - offset);
  const real = candidates.filter((instant) => wallClockMs - offsetAt(instant, timeZone) === instant);
  return Math.min(...(real.length > 0 ? real : candidates));
}

/** Milliseconds to add to UTC to get the wall clock in `timeZone` at `instantMs`. */
function offsetAt(instantMs: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(instantMs));
  const part = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value ?? '0');
  const era = parts.find((p) => p.type === 'era')?.value;
  const wallClock = utcMillis({
    year: era === 'BC' ? 1 - part('year') : part('year'),
    month: part('month'),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
    second: part('second'),
    millisecond: 0,
  });
  return wallClock - Math.floor(instantMs / 1000) * 1000;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

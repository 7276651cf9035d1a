/** A daily window (local wall-clock time in `timeZone`) in which routine items wait; may wrap midnight. */
export interface QuietHours {
  /** HH:MM, inclusive. */
  start: string;
  /** HH:MM, exclusive. */
  end: string;
  /** IANA zone, e.g. America/Chicago. */
  timeZone: string;
}

const MINUTES_PER_DAY = 24 * 60;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function minutesOfDay(hhmm: string): number {
  const [hours, minutes] = hhmm.split(':').map(Number);
  return hours * 60 + minutes;
}

/** Wall-clock minutes since local midnight of `instant` in `timeZone`. */
function localMinutes(instant: Date, timeZone: string): number {
  let hour = 0;
  let minute = 0;
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type === 'hour') {
      hour = Number(part.value);
    } else if (part.type === 'minute') {
      minute = Number(part.value);
    }
  }
  return hour * 60 + minute;
}

function isInside(local: number, start: number, end: number): boolean {
  return start < end ? local >= start && local < end : local >= start || local < end;
}

/**
 * When `now` falls inside the quiet window, the instant the window ends; otherwise null.
 * A window whose start equals its end is empty. Across a DST change the end is corrected once
 * to the wall-clock end (or the nearest existing minute after a spring-forward gap).
 */
export function quietHoursEnd(now: Date, quiet: QuietHours): Date | null {
  const start = minutesOfDay(quiet.start);
  const end = minutesOfDay(quiet.end);
  if (start === end) {
    return null;
  }
  const local = localMinutes(now, quiet.timeZone);
  if (!isInside(local, start, end)) {
    return null;
  }
  const startOfMinute = now.getTime() - (now.getTime() % 60_000);
  let candidate = startOfMinute + ((end - local + MINUTES_PER_DAY) % MINUTES_PER_DAY) * 60_000;
  const drift = (end - localMinutes(new Date(candidate), quiet.timeZone) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  if (drift !== 0) {
    candidate += (drift <= MINUTES_PER_DAY / 2 ? drift : drift - MINUTES_PER_DAY) * 60_000;
  }
  return new Date(Math.max(candidate, now.getTime()));
}

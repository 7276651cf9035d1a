import { parseHl7Timestamp } from '@sc/hl7';

/**
 * The deadlines a discharge task runs against: the product's own 24-hour follow-up, the TCM
 * (CPT 99495/99496) interactive contact and face-to-face windows, and the HEDIS Transitions of
 * Care medication reconciliation and patient engagement windows.
 */
export const CLOCKS = [
  'follow-up-24h',
  'tcm-interactive-contact',
  'tcm-face-to-face-7d',
  'tcm-face-to-face-14d',
  'hedis-medication-reconciliation',
  'hedis-engagement',
] as const;
export type ClockName = (typeof CLOCKS)[number];

/** What met a clock: the task completed, the patient reached, two timely unsuccessful attempts, or the reconciliation documented. */
export type ClockEvidence = 'completed' | 'interactive-contact' | 'contact-attempts' | 'medication-reconciliation';

/** Which clocks each piece of evidence meets. The face-to-face visits happen outside the pharmacy, so nothing here meets them. */
export const CLOCKS_MET_BY: Record<ClockEvidence, readonly ClockName[]> = {
  completed: ['follow-up-24h'],
  'interactive-contact': ['tcm-interactive-contact', 'hedis-engagement'],
  // CMS accepts two or more separate, timely, documented unsuccessful attempts in place of the contact.
  'contact-attempts': ['tcm-interactive-contact'],
  'medication-reconciliation': ['hedis-medication-reconciliation'],
};

/** Unsuccessful attempts before the TCM deadline that stand in for the interactive contact. */
export const TCM_ATTEMPTS_REQUIRED = 2;

/** A facility's working days: Monday to Friday in its time zone, less its holidays (`YYYY-MM-DD`). */
export interface BusinessCalendar {
  readonly timeZone: string;
  readonly holidays: ReadonlySet<string>;
}

export interface ClockDeadline {
  clock: ClockName;
  dueAt: Date;
}

const DAY_MS = 86_400_000;
const TCM_CONTACT_BUSINESS_DAYS = 2;
const FACE_TO_FACE_DAYS = { 'tcm-face-to-face-7d': 7, 'tcm-face-to-face-14d': 14 } as const;
// HEDIS counts the discharge day and the 30 days after it.
const HEDIS_DAYS = 30;

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (`YYYY-MM-DD`) of an instant in a time zone. */
export function localDate(instant: Date, timeZone: string): string {
  let format = dateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(timeZone, format);
  }
  return format.format(instant);
}

export const addDays = (date: string, days: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** The instant a calendar date begins in a time zone (local midnight, whatever the UTC offset that day). */
export const startOfDay = (date: string, timeZone: string): Date => new Date(parseHl7Timestamp(date.replaceAll('-', ''), { timeZone }) as string);

export function isBusinessDay(date: string, calendar: BusinessCalendar): boolean {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !calendar.holidays.has(date);
}

/** The end of the `days`-th business day after the discharge day (the discharge day itself never counts), in the facility's time zone. */
export function endOfBusinessDaysAfter(dischargedAt: Date, days: number, calendar: BusinessCalendar): Date {
  let date = localDate(dischargedAt, calendar.timeZone);
  for (let counted = 0; counted < days; ) {
    date = addDays(date, 1);
    if (isBusinessDay(date, calendar)) {
      counted += 1;
    }
  }
  return startOfDay(addDays(date, 1), calendar.timeZone);
}

/** The end of the `days`-th calendar day after the discharge day, in the facility's time zone. */
export function endOfDaysAfter(dischargedAt: Date, days: number, timeZone: string): Date {
  return startOfDay(addDays(localDate(dischargedAt, timeZone), days + 1), timeZone);
}

/** Every clock of a discharge task; deadlines are exclusive (met when the evidence comes before them). */
export function dischargeClocks(dischargedAt: Date, followUpDueAt: Date, calendar: BusinessCalendar): ClockDeadline[] {
  return [
    { clock: 'follow-up-24h', dueAt: followUpDueAt },
    { clock: 'tcm-interactive-contact', dueAt: endOfBusinessDaysAfter(dischargedAt, TCM_CONTACT_BUSINESS_DAYS, calendar) },
    { clock: 'tcm-face-to-face-7d', dueAt: endOfDaysAfter(dischargedAt, FACE_TO_FACE_DAYS['tcm-face-to-face-7d'], calendar.timeZone) },
    { clock: 'tcm-face-to-face-14d', dueAt: endOfDaysAfter(dischargedAt, FACE_TO_FACE_DAYS['tcm-face-to-face-14d'], calendar.timeZone) },
    { clock: 'hedis-medication-reconciliation', dueAt: endOfDaysAfter(dischargedAt, HEDIS_DAYS, calendar.timeZone) },
    { clock: 'hedis-engagement', dueAt: endOfDaysAfter(dischargedAt, HEDIS_DAYS, calendar.timeZone) },
  ];
}

export type ClockStatus = 'running' | 'met' | 'met-late' | 'missed';

export function clockStatus(dueAt: Date, metAt: Date | null, now: Date): ClockStatus {
  if (metAt) {
    return metAt < dueAt ? 'met' : 'met-late';
  }
  return now < dueAt ? 'running' : 'missed';
}

export interface CalendarSettings {
  FACILITY_TIME_ZONES: Record<string, string>;
  DEFAULT_TIME_ZONE: string;
  BUSINESS_HOLIDAYS: string[];
}

/** The business calendar of a sending facility (MSH-4), from the same time-zone settings adt-ingest reads. */
export function calendarFor(facility: string, settings: CalendarSettings): BusinessCalendar {
  return { timeZone: settings.FACILITY_TIME_ZONES[facility] ?? settings.DEFAULT_TIME_ZONE, holidays: new Set(settings.BUSINESS_HOLIDAYS) };
}

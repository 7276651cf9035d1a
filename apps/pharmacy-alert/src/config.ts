import { Transform } from 'class-transformer';
import { IsArray, IsIn, IsInt, Max, Min, Validate, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import { FacilityTimeZonesConfig, commaList } from '@sc/config';
import { CLOCKS, type ClockName } from './tasks/regulatory-clocks';

const isCalendarDate = (date: string): boolean => {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : Number.NaN;
  return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(date);
};

/** Every holiday must be a real calendar date written `YYYY-MM-DD`, the form the business calendar compares. */
@ValidatorConstraint({ name: 'calendarDates' })
class CalendarDates implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return Array.isArray(value) && value.every((date) => typeof date === 'string' && isCalendarDate(date));
  }

  defaultMessage(): string {
    return 'must be dates written YYYY-MM-DD, comma-separated';
  }
}

export class PharmacyAlertConfig extends FacilityTimeZonesConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  HTTP_PORT: number = 3002;

  /** Hours from clinical discharge to the discharge call's deadline. */
  @IsInt()
  @Min(1)
  @Max(168)
  DISCHARGE_WINDOW_HOURS: number = 24;

  /** Escalation ladder, first rung: remind the assignee when the task is still unacknowledged this long after creation. */
  @IsInt()
  @Min(1)
  @Max(24 * 60)
  ESCALATION_REMINDER_MINUTES: number = 120;

  /** Second rung: tell the team lead when a clock is not met this many hours after discharge (before its deadline). */
  @IsInt()
  @Min(1)
  @Max(167)
  ESCALATION_TEAM_LEAD_HOURS: number = 18;

  /** The clocks the team-lead and breach rungs run against, each on its own. */
  @Transform(commaList)
  @IsArray()
  @IsIn(CLOCKS, { each: true })
  ESCALATION_CLOCKS: ClockName[] = ['follow-up-24h'];

  /** Days no facility counts as business days, besides weekends. */
  @Transform(commaList)
  @Validate(CalendarDates)
  BUSINESS_HOLIDAYS: string[] = [];

  /** How often the durable escalation timers are checked. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  TIMER_POLL_MS: number = 1000;
}

import { IsInt, Max, Min } from 'class-validator';
import { ServiceConfig } from '@sc/config';

export class PharmacyAlertConfig extends ServiceConfig {
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

  /** Second rung: tell the team lead when the task is not done this many hours after discharge (before the deadline). */
  @IsInt()
  @Min(1)
  @Max(167)
  ESCALATION_TEAM_LEAD_HOURS: number = 18;

  /** How often the durable escalation timers are checked. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  TIMER_POLL_MS: number = 1000;
}

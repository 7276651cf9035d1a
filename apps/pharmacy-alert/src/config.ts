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
}

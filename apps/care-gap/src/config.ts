import { IsInt, Max, Min } from 'class-validator';
import { ServiceConfig } from '@sc/config';

export class CareGapConfig extends ServiceConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  HTTP_PORT: number = 3003;
}

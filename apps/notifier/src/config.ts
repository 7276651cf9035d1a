import { IsInt, Max, Min } from 'class-validator';
import { ServiceConfig } from '@sc/config';

export class NotifierConfig extends ServiceConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  HTTP_PORT: number = 3005;

  /** Comment lines keep proxies from closing an idle stream. */
  @IsInt()
  @Min(1000)
  @Max(120_000)
  SSE_HEARTBEAT_MS: number = 15_000;

  /** Safety net under Redis pub/sub: each stream also checks the database this often. */
  @IsInt()
  @Min(200)
  @Max(60_000)
  SSE_RECONCILE_MS: number = 2_000;
}

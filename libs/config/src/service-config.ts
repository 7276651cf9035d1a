import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

const toList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.split(',').map((item) => item.trim()).filter((item) => item.length > 0) : value;

/** Settings every service shares; each app extends it with its own. */
export class ServiceConfig {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: string = 'development';

  @IsString()
  @Matches(/^0\.0\.0\.0$|^127\.0\.0\.1$|^::$|^::1$|^[a-zA-Z0-9.-]+$/)
  HTTP_HOST: string = '127.0.0.1';

  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL' })
  DATABASE_ADMIN_URL: string = 'postgres://postgres@127.0.0.1:5432/postgres';

  /** Full URL of this service's own database; defaults to DATABASE_ADMIN_URL's server with the service's name. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE: number = 10;

  @Transform(toList)
  @IsString({ each: true })
  @Matches(/^[^\s:]+:\d+$/, { each: true, message: 'must be a comma-separated list of host:port' })
  KAFKA_BROKERS: string[] = ['127.0.0.1:9092'];

  /** Prefix for every topic and consumer group; lets test runs and tenants share one cluster. */
  @IsString()
  @Matches(/^[a-zA-Z0-9._-]*$/)
  KAFKA_TOPIC_PREFIX: string = '';

  @IsIn(['true', 'false'])
  KAFKA_PROVISION_TOPICS: string = 'true';

  @IsString()
  @Matches(/^rediss?:\/\//, { message: 'must be a redis:// URL' })
  REDIS_URL: string = 'redis://127.0.0.1:6379';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  @IsInt()
  @Min(1)
  @Max(20)
  EVENT_MAX_ATTEMPTS: number = 5;

  @IsInt()
  @Min(1)
  @Max(60_000)
  EVENT_RETRY_BASE_MS: number = 200;
}

/** The service's own database URL: DATABASE_URL, else the admin URL's server with database `sc_<service>`. */
export function databaseUrlFor(config: ServiceConfig, serviceName: string): string {
  if (config.DATABASE_URL) {
    return config.DATABASE_URL;
  }
  const url = new URL(config.DATABASE_ADMIN_URL);
  url.pathname = `/sc_${serviceName.replace(/-/g, '_')}`;
  return url.toString();
}

import { Transform } from 'class-transformer';
import { commaList } from './env-transforms';
import { IsEmpty, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';

/** Signs local and demo tokens when no identity provider is configured; never accepted in production. */
export const DEVELOPMENT_JWT_SECRET = 'development-only-jwt-secret-0123456789';

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

  @Transform(commaList)
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

  /**
   * Consumed events of one partition handled in one database transaction (one commit for all).
   * 1 gives every event its own transaction; larger runs hold row locks longer.
   */
  @IsInt()
  @Min(1)
  @Max(1000)
  EVENTS_PER_TRANSACTION: number = 200;

  /**
   * Partitions of the subscribed topics handled at the same time (the catalogue gives each topic
   * 6); each partition's run is its own transaction, so keep DATABASE_POOL_SIZE above it.
   */
  @IsInt()
  @Min(1)
  @Max(64)
  EVENT_PARTITIONS_CONCURRENTLY: number = 6;

  /**
   * Hours after its creation a published outbox row is kept (for tracing a message after the
   * fact) before the relay deletes it; unpublished rows are never deleted. Without it the table
   * grows with every event the service ever emitted.
   */
  @IsInt()
  @Min(1)
  @Max(24 * 365)
  OUTBOX_RETENTION_HOURS: number = 72;

  /**
   * Seconds between looks for tables whose planner statistics are out of date (see
   * TableStatisticsKeeper: autovacuum analyzes a young table only once a minute, or never where it
   * is off); 0 leaves statistics to autovacuum alone.
   */
  @IsInt()
  @Min(0)
  @Max(3600)
  TABLE_STATISTICS_INTERVAL_SECONDS: number = 0;

  /**
   * Days a consumer remembers that it handled an event (its inbox row). Longer than the topics'
   * 14 days and the dead-letter topics' 30, so no event can come back after its row is gone.
   */
  @IsInt()
  @Min(31)
  @Max(3650)
  INBOX_RETENTION_DAYS: number = 45;

  /** OIDC JWKS endpoint that signs bearer tokens (production). */
  @IsOptional()
  @Matches(/^https?:\/\//, { message: 'must be an http(s) URL' })
  AUTH_JWKS_URL?: string;

  /** PEM public key for tokens, when there is no JWKS endpoint; usually via AUTH_JWT_PUBLIC_KEY_FILE. */
  @IsOptional()
  @Matches(/-----BEGIN PUBLIC KEY-----/, { message: 'must be a PEM public key' })
  AUTH_JWT_PUBLIC_KEY?: string;

  /** HS256 shared secret for local use and tests only; refused in production. */
  @ValidateIf((config: ServiceConfig) => config.NODE_ENV === 'production' && config.AUTH_JWT_SECRET !== undefined)
  @IsEmpty({ message: 'AUTH_JWT_SECRET is for local use only; set AUTH_JWKS_URL or AUTH_JWT_PUBLIC_KEY in production' })
  AUTH_JWT_SECRET?: string = process.env.NODE_ENV === 'production' ? undefined : DEVELOPMENT_JWT_SECRET;

  @IsOptional() @IsString() AUTH_ISSUER?: string;
  @IsOptional() @IsString() AUTH_AUDIENCE?: string;

  /** TLS to the Kafka brokers; CA, client certificate and key as PEM (usually via *_FILE). */
  @IsIn(['true', 'false'])
  KAFKA_SSL: string = 'false';
  @IsOptional() @Matches(/-----BEGIN CERTIFICATE-----/, { message: 'must be a PEM certificate' }) KAFKA_SSL_CA?: string;
  @IsOptional() @Matches(/-----BEGIN CERTIFICATE-----/, { message: 'must be a PEM certificate' }) KAFKA_SSL_CERT?: string;
  @IsOptional() @Matches(/-----BEGIN [A-Z ]*PRIVATE KEY-----/, { message: 'must be a PEM private key' }) KAFKA_SSL_KEY?: string;

  /** SASL authentication to the brokers (service identity on Kafka). */
  @IsOptional() @IsIn(['plain', 'scram-sha-256', 'scram-sha-512']) KAFKA_SASL_MECHANISM?: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  @ValidateIf((config: ServiceConfig) => config.KAFKA_SASL_MECHANISM !== undefined) @IsString() KAFKA_SASL_USERNAME?: string;
  @ValidateIf((config: ServiceConfig) => config.KAFKA_SASL_MECHANISM !== undefined) @IsString() KAFKA_SASL_PASSWORD?: string;

  /** PostgreSQL TLS: disable, require (encrypt), or verify-full (encrypt and check the server against DATABASE_SSL_CA). */
  @IsIn(['disable', 'require', 'verify-full'])
  DATABASE_SSL_MODE: string = 'disable';
  @IsOptional() @Matches(/-----BEGIN CERTIFICATE-----/, { message: 'must be a PEM certificate' }) DATABASE_SSL_CA?: string;

  /** Redis TLS (use a rediss:// URL) and ACL user; the password may also sit in the URL. */
  @IsOptional() @Matches(/-----BEGIN CERTIFICATE-----/, { message: 'must be a PEM certificate' }) REDIS_TLS_CA?: string;
  @IsOptional() @IsString() REDIS_USERNAME?: string;
  @IsOptional() @IsString() REDIS_PASSWORD?: string;

  /** Requests per caller per minute on the HTTP API. */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_PER_MINUTE: number = 1200;

  /** Largest JSON body the HTTP API accepts. */
  @Matches(/^\d+(kb|mb)$/, { message: 'must look like 512kb or 1mb' })
  HTTP_BODY_LIMIT: string = '1mb';
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

import {
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  Matches,
  Max,
  Min,
  Validate,
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { Transform } from 'class-transformer';
import { ServiceConfig, commaList } from '@sc/config';
import { DEVELOPMENT_SECRET_KEY, parseSecretKey } from './secrets/secret-keyring';

/** A claimed send must finish (or time out) before its lease lets another instance retry it. */
@ValidatorConstraint({ name: 'mustExceedWebhookAndSmtpTimeouts' })
class LeaseExceedsSendTimeouts implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const config = args.object as NotifierConfig;
    return typeof value === 'number' && value > config.WEBHOOK_TIMEOUT_MS && value > config.SMTP_TIMEOUT_MS;
  }

  defaultMessage(): string {
    return 'DELIVERY_LEASE_MS must exceed WEBHOOK_TIMEOUT_MS and SMTP_TIMEOUT_MS';
  }
}

/** 32 bytes as 64 hex digits or base64 (e.g. `openssl rand -base64 32`). */
@ValidatorConstraint({ name: 'isSecretKey' })
class IsSecretKey implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    const keys: unknown[] = Array.isArray(value) ? value : [value];
    return keys.every((key) => typeof key === 'string' && parseSecretKey(key) !== undefined);
  }

  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be 32-byte keys written as 64 hex digits or base64`;
  }
}

/** The development key would let anyone with the repository read stored secrets. */
@ValidatorConstraint({ name: 'notDevelopmentKeyInProduction' })
class NotDevelopmentKeyInProduction implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const key = typeof value === 'string' ? parseSecretKey(value) : undefined;
    return (args.object as NotifierConfig).NODE_ENV !== 'production' || !key?.equals(parseSecretKey(DEVELOPMENT_SECRET_KEY) as Buffer);
  }

  defaultMessage(): string {
    return 'NOTIFIER_SECRET_KEY must be set to a secret key in production (the development key is refused)';
  }
}

/** AUTH PLAIN over a connection without TLS would put the relay's password on the network in clear. */
@ValidatorConstraint({ name: 'tlsForSmtpCredentialsInProduction' })
class TlsForSmtpCredentialsInProduction implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const config = args.object as NotifierConfig;
    return config.NODE_ENV !== 'production' || config.SMTP_USER === undefined || value !== 'none';
  }

  defaultMessage(): string {
    return 'SMTP_TLS must be starttls or implicit in production when SMTP_USER is set (the password would cross the network in clear)';
  }
}

export const SMTP_TLS_MODES = ['none', 'starttls', 'implicit'] as const;
export type SmtpTlsMode = (typeof SMTP_TLS_MODES)[number];

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

  /** How often the webhook/email queue is polled when no local request woke it. */
  @IsInt()
  @Min(50)
  @Max(60_000)
  DELIVERY_POLL_MS: number = 500;

  /** Webhook and email sends in flight per instance; a slow endpoint holds one slot, not the queue. */
  @IsInt()
  @Min(1)
  @Max(200)
  DELIVERY_CONCURRENCY: number = 16;

  /** Sends per webhook/email delivery before it is dead-lettered (status `failed`). */
  @IsInt()
  @Min(1)
  @Max(50)
  DELIVERY_MAX_ATTEMPTS: number = 8;

  @IsInt()
  @Min(10)
  @Max(600_000)
  DELIVERY_RETRY_BASE_MS: number = 2_000;

  @IsInt()
  @Min(100)
  @Max(86_400_000)
  DELIVERY_RETRY_MAX_MS: number = 900_000;

  /** A claimed send that has not been recorded after this long is retried (the instance died mid-send). */
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  @Validate(LeaseExceedsSendTimeouts)
  DELIVERY_LEASE_MS: number = 60_000;

  @IsInt()
  @Min(100)
  @Max(120_000)
  WEBHOOK_TIMEOUT_MS: number = 10_000;

  /** Consecutive transient failures that open an endpoint's circuit. */
  @IsInt()
  @Min(1)
  @Max(1_000)
  WEBHOOK_CIRCUIT_THRESHOLD: number = 5;

  /** How long an open circuit holds sends back before one probe is allowed. */
  @IsInt()
  @Min(100)
  @Max(86_400_000)
  WEBHOOK_CIRCUIT_OPEN_MS: number = 60_000;

  /** Outside production; in production webhooks always need https (see webhookTargetPolicy). */
  @IsIn(['true', 'false'])
  WEBHOOK_REQUIRE_HTTPS: string = 'false';

  /**
   * Comma-separated addresses or CIDR ranges a webhook may reach although they are loopback,
   * private, link-local, multicast or cloud metadata (e.g. an in-cluster pager gateway). Empty:
   * public addresses only.
   */
  @IsOptional()
  @Matches(/^[0-9a-fA-F.:/,\s]*$/)
  WEBHOOK_ALLOWED_ADDRESSES: string = '';

  /** SMTP relay for the email channel; without it the channel is unavailable. */
  @IsOptional()
  @Matches(/^[a-zA-Z0-9.-]{1,253}$/)
  SMTP_HOST?: string;

  @IsInt()
  @Min(1)
  @Max(65535)
  SMTP_PORT: number = 25;

  @IsIn(SMTP_TLS_MODES)
  @Validate(TlsForSmtpCredentialsInProduction)
  SMTP_TLS: SmtpTlsMode = 'none';

  @IsOptional()
  @Matches(/^[^\s]{1,256}$/)
  SMTP_USER?: string;

  @IsOptional()
  @Matches(/^[^\r\n]{1,256}$/)
  SMTP_PASSWORD?: string;

  /**
   * PEM certificate(s) of the CA(s) that issued the relay's certificate, for a relay under a
   * private CA (usually via SMTP_TLS_CA_FILE); the system's trusted CAs otherwise.
   */
  @IsOptional()
  @Matches(/-----BEGIN CERTIFICATE-----/, { message: 'must be a PEM certificate' })
  SMTP_TLS_CA?: string;

  @IsEmail({ require_tld: false })
  SMTP_FROM: string = 'notifications@synchronized-care.local';

  @IsInt()
  @Min(100)
  @Max(120_000)
  SMTP_TIMEOUT_MS: number = 10_000;

  /** Escalation timers are polled this often (they live in PostgreSQL, so a restart loses none). */
  @IsInt()
  @Min(50)
  @Max(60_000)
  TIMER_POLL_MS: number = 1_000;

  /** Prefix that turns an item's relative link into an absolute one in emails and webhooks. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s?#]+[^/\s?#]$/, { message: 'must be an http(s) URL without a trailing slash, query or fragment' })
  LINK_BASE_URL?: string;

  /**
   * Key that encrypts webhook signing secrets at rest (AES-256-GCM); usually via
   * NOTIFIER_SECRET_KEY_FILE. Outside production a development key stands in.
   */
  @Validate(IsSecretKey)
  @Validate(NotDevelopmentKeyInProduction)
  NOTIFIER_SECRET_KEY: string = DEVELOPMENT_SECRET_KEY;

  /** Keys that still open secrets sealed before a rotation; they are re-sealed under the current key. */
  @Transform(commaList)
  @Validate(IsSecretKey)
  NOTIFIER_SECRET_PREVIOUS_KEYS: string[] = [];
}

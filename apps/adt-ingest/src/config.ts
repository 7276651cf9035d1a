import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsObject,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  Validate,
  ValidateIf,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { isValidTimeZone } from '@sc/hl7';
import { ServiceConfig } from '@sc/config';

/** `LGH=America/Chicago,NSH=America/New_York` -> { LGH: 'America/Chicago', NSH: 'America/New_York' } */
const toZoneMap = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? Object.fromEntries(
        value
          .split(',')
          .map((pair) => pair.trim())
          .filter((pair) => pair.length > 0)
          .map((pair) => pair.split('=').map((part) => part.trim())),
      )
    : value;

/** Every zone named must be a known IANA zone: checked at boot, not at the first message. */
@ValidatorConstraint({ name: 'knownTimeZones' })
class KnownTimeZones implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    const zones: unknown[] = typeof value === 'string' ? [value] : typeof value === 'object' && value !== null ? Object.values(value) : [value];
    return zones.every((zone) => typeof zone === 'string' && isValidTimeZone(zone));
  }

  defaultMessage(): string {
    return 'must name IANA time zones (e.g. America/Chicago)';
  }
}

export class AdtIngestConfig extends ServiceConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  HTTP_PORT: number = 3001;

  @IsInt()
  @Min(0)
  @Max(65535)
  MLLP_PORT: number = 2575;

  @IsString()
  MLLP_HOST: string = '127.0.0.1';

  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  MLLP_MAX_FRAME_BYTES: number = 1024 * 1024;

  @IsInt()
  @Min(1000)
  @Max(24 * 60 * 60 * 1000)
  MLLP_IDLE_TIMEOUT_MS: number = 10 * 60 * 1000;

  /** IANA zone per sending facility (MSH-4), for feeds whose timestamps carry no offset. */
  @Transform(toZoneMap)
  @IsObject()
  @Validate(KnownTimeZones)
  FACILITY_TIME_ZONES: Record<string, string> = {};

  @IsString()
  @Validate(KnownTimeZones)
  DEFAULT_TIME_ZONE: string = 'UTC';

  /** MSH-11 this receiver works on: messages with another processing id are acknowledged but create no work. */
  @IsIn(['P', 'T', 'D'])
  RECEIVER_PROCESSING_ID: string = 'P';

  /**
   * Key of the HMAC that turns a patient identifier into the pseudonymous reference used as
   * event subject and Kafka key. Must be set (and secret) in production.
   */
  @ValidateIf((config: AdtIngestConfig) => config.NODE_ENV === 'production')
  @IsString()
  @MinLength(32)
  @Matches(/^(?!development-only-)/, { message: 'PATIENT_REF_KEY must be set to a secret in production' })
  PATIENT_REF_KEY: string = 'development-only-patient-reference-key';
}

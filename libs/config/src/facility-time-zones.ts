import { Transform } from 'class-transformer';
import { IsObject, IsString, Validate, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import { keyValueList } from './env-transforms';
import { ServiceConfig } from './service-config';

const isTimeZone = (zone: unknown): boolean => {
  try {
    return typeof zone === 'string' && zone.length > 0 && Boolean(new Intl.DateTimeFormat('en-US', { timeZone: zone }));
  } catch {
    return false;
  }
};

/** Every zone named must be a known IANA zone: checked at boot, not at the first message. */
@ValidatorConstraint({ name: 'knownTimeZones' })
class KnownTimeZones implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return (typeof value === 'object' && value !== null ? Object.values(value) : [value]).every(isTimeZone);
  }

  defaultMessage(): string {
    return 'must name IANA time zones (e.g. America/Chicago)';
  }
}

/** The settings of a service that reads facilities' local times (adt-ingest's timestamps, pharmacy-alert's business calendar). */
export class FacilityTimeZonesConfig extends ServiceConfig {
  /** IANA zone per sending facility (MSH-4): for feeds whose timestamps carry no offset, and the business calendar's days. */
  @Transform(keyValueList)
  @IsObject()
  @Validate(KnownTimeZones)
  FACILITY_TIME_ZONES: Record<string, string> = {};

  @IsString()
  @Validate(KnownTimeZones)
  DEFAULT_TIME_ZONE: string = 'UTC';
}

import { Transform } from 'class-transformer';
import { IsInt, IsObject, IsString, Matches, Max, Min, Validate, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import { ServiceConfig, commaList, keyValueList } from '@sc/config';

const ID = /^[A-Za-z0-9_-]{1,48}$/;

@ValidatorConstraint({ name: 'facilityTeams' })
class FacilityTeams implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      Object.entries(value).every(([facility, team]) => facility.length > 0 && typeof team === 'string' && ID.test(team))
    );
  }

  defaultMessage(): string {
    return 'must be FACILITY=team pairs separated by commas (team: letters, digits, - and _)';
  }
}

export class ReferralConfig extends ServiceConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  HTTP_PORT: number = 3004;

  /** Nurse team per sending facility (the facility of the episode); others go to REFERRAL_DEFAULT_TEAM. */
  @Transform(keyValueList)
  @IsObject()
  @Validate(FacilityTeams)
  REFERRAL_FACILITY_TEAMS: Record<string, string> = {};

  @IsString()
  @Matches(ID, { message: 'REFERRAL_DEFAULT_TEAM must be letters, digits, - and _' })
  REFERRAL_DEFAULT_TEAM: string = 'nursing';

  /** Hours from discharge within which every referral is due (each type has its own, shorter or equal, target). */
  @IsInt()
  @Min(1)
  @Max(24 * 30)
  REFERRAL_WINDOW_HOURS: number = 72;

  /** How long a claim holds a referral without a renewal before it goes back to the queue. */
  @IsInt()
  @Min(1)
  @Max(24 * 60 * 60)
  REFERRAL_LEASE_SECONDS: number = 900;

  /** The SLA escalation fires this long before the deadline if the referral is not yet arranged. */
  @IsInt()
  @Min(1)
  @Max(7 * 24 * 60)
  REFERRAL_ESCALATION_LEAD_MINUTES: number = 240;

  /** A referral for a patient who speaks another language waits this long for a nurse who speaks it, then any nurse may take it (with an interpreter). */
  @IsInt()
  @Min(0)
  @Max(7 * 24 * 60)
  REFERRAL_LANGUAGE_HOLD_MINUTES: number = 60;

  /** How often SLA timers and expired leases are checked. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  REFERRAL_TIMER_POLL_MS: number = 1000;

  /**
   * Plans whose members this service serves (comma-separated plan ids, as IN1-2 names them; `*`
   * for every plan, i.e. every covered patient); set it as care-gap's. Patients referral already
   * holds referrals or pharmacy facts for are served whatever their plan (see docs/architecture.md).
   */
  @Transform(commaList)
  @IsString({ each: true })
  @Matches(/^(\*|[^\s,*]{1,64})$/, { each: true, message: 'PARTICIPATING_PLANS must be plan ids (no spaces, at most 64 characters) or *, separated by commas' })
  PARTICIPATING_PLANS: string[] = ['*'];
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { REFERRAL_STATUSES, REFERRAL_TYPES, type ReferralStatus, type ReferralType } from '@sc/contracts';

export const ID = /^[A-Za-z0-9._-]{1,64}$/;
const REASON = /^[a-z0-9][a-z0-9-]{1,63}$/;
const REASON_MESSAGE = 'reason must be a code of lower-case letters, digits and dashes (e.g. patient-declined)';

/** The acting nurse is the bearer token's subject; no request body names it. */
export class NoteDto {
  @ApiPropertyOptional({ description: 'Free text for the referral history; shown to those working the referral, never sent on events or logged.' })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  note?: string;
}

export class StepDto extends NoteDto {
  @ApiPropertyOptional({ example: 'work-started', description: 'Reason code for the history; a default per step when omitted.' })
  @IsOptional()
  @Matches(REASON, { message: REASON_MESSAGE })
  reason?: string;
}

/** Steps that end or hand over work say why. */
export class ReasonedStepDto extends NoteDto {
  @ApiProperty({ example: 'patient-declined', description: 'Reason code, e.g. patient-declined, unreachable, duplicate, no-longer-needed, shift-ended.' })
  @Matches(REASON, { message: REASON_MESSAGE })
  reason!: string;
}

export class ReassignDto extends ReasonedStepDto {
  @ApiProperty({ example: 'rn-li', description: 'The active nurse of the same team who takes the referral.' })
  @Matches(ID, { message: 'nurseId must be letters, digits, ., _ or -' })
  nurseId!: string;
}

export class ScheduleDto extends StepDto {
  @ApiProperty({ description: 'When the visit, call or program start is booked.' })
  @IsISO8601({ strict: true })
  scheduledFor!: string;
}

export class OrderDto extends StepDto {
  @ApiPropertyOptional({ example: 'SUP-2026-118', description: 'The supplier’s order number.' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._:-]{1,64}$/, { message: 'orderReference must be letters, digits and . _ : -' })
  orderReference?: string;
}

/** Takes the next referral for the calling nurse. */
export class ClaimNextDto {
  @ApiPropertyOptional({ example: 'nursing.equipment', description: 'Take from this queue only; by default from every queue the nurse works.' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,130}$/)
  queueId?: string;
}

export class ReferralQueryDto {
  @ApiPropertyOptional() @IsOptional() @Matches(/^[A-Za-z0-9._-]{1,130}$/) queueId?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(ID) teamId?: string;
  @ApiPropertyOptional({ enum: REFERRAL_STATUSES }) @IsOptional() @IsIn(REFERRAL_STATUSES) status?: ReferralStatus;
  @ApiPropertyOptional({ enum: REFERRAL_TYPES }) @IsOptional() @IsIn(REFERRAL_TYPES) type?: ReferralType;
  @ApiPropertyOptional({ description: 'My referrals.' }) @IsOptional() @Matches(ID) claimedBy?: string;
  @ApiPropertyOptional({ description: 'Pseudonymous patient reference.' }) @IsOptional() @IsString() @Length(1, 128) subject?: string;
  @ApiPropertyOptional({ description: 'Encounter episode.' }) @IsOptional() @IsString() @Length(1, 200) correlationId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

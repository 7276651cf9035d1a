import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import type { CareGapStatus } from '@sc/contracts';

export const STATUSES: readonly CareGapStatus[] = ['open', 'coverage-verified', 'ordered', 'delivered', 'closed', 'dismissed'];
export const PERSON_TARGETS = ['coverage-verified', 'ordered', 'delivered', 'closed', 'dismissed'] as const;

const toBoolean = ({ value }: { value: unknown }): unknown => (value === 'true' ? true : value === 'false' ? false : value);

export class GapTransitionDto {
  @ApiProperty({ enum: PERSON_TARGETS, description: 'open -> coverage-verified -> ordered -> delivered -> closed; dismissed from any open state.' })
  @IsIn(PERSON_TARGETS)
  to!: (typeof PERSON_TARGETS)[number];


  @ApiProperty({ example: 'Plan confirmed coverage by phone, ref 88123' })
  @IsString()
  @Length(3, 500)
  reason!: string;
}

export class GapQueryDto {
  @ApiPropertyOptional({ description: 'Pseudonymous patient reference.' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9:._-]{1,128}$/)
  subject?: string;

  @ApiPropertyOptional({ example: 'care-management-nurses' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  teamId?: string;

  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: CareGapStatus;

  @ApiPropertyOptional({ description: 'Only gaps not closed or dismissed.', default: false })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  openOnly?: boolean;

  @ApiPropertyOptional({ default: 500, maximum: 5000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  limit?: number;
}

export class TeamGapQueryDto {
  @ApiPropertyOptional({ enum: STATUSES, description: 'Default: every gap not closed or dismissed.' })
  @IsOptional()
  @IsIn(STATUSES)
  status?: CareGapStatus;
}

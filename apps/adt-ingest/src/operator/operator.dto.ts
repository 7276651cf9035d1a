import { MESSAGE_WARNINGS } from '../quality/message-warnings';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

/** Paging and a received-time window, shared by both searches. */
class TimeWindowDto {
  @ApiPropertyOptional({ description: 'Received at or after (ISO-8601).' }) @IsOptional() @IsISO8601() from?: string;
  @ApiPropertyOptional({ description: 'Received before (ISO-8601).' }) @IsOptional() @IsISO8601() to?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page.' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  cursor?: string;
}

export class MessageSearchDto extends TimeWindowDto {
  @ApiPropertyOptional({ description: 'MSH-10.' }) @IsOptional() @IsString() @Length(1, 199) controlId?: string;
  @ApiPropertyOptional({ description: 'Sending facility (MSH-4).' }) @IsOptional() @IsString() @Length(1, 180) facility?: string;

  @ApiPropertyOptional({ description: 'A patient identifier value (PID-3 or MRG-1, e.g. an MRN). Searched through keyed hashes; never stored in clear.' })
  @IsOptional()
  @IsString()
  @Length(1, 199)
  identifier?: string;

  @ApiPropertyOptional({ description: 'Assigning authority of `identifier` (CX.4); any authority when omitted.' })
  @IsOptional()
  @IsString()
  @Length(1, 199)
  authority?: string;

  @ApiPropertyOptional({ description: 'Pseudonymous patient reference (event subject).' })
  @IsOptional()
  @Matches(/^pt-[0-9a-f]{32}$/)
  subject?: string;

  @ApiPropertyOptional({ enum: ['accepted', 'not-production'] }) @IsOptional() @IsIn(['accepted', 'not-production']) status?: string;

  @ApiPropertyOptional({ enum: ['applied', 'updated', 'amended', 'retracted', 'held', 'suppressed', 'stale', 'merged', 'no-encounter'] })
  @IsOptional()
  @IsIn(['applied', 'updated', 'amended', 'retracted', 'held', 'suppressed', 'stale', 'merged', 'no-encounter'])
  stateOutcome?: string;

  @ApiPropertyOptional({ enum: MESSAGE_WARNINGS, description: 'Accepted messages carrying this data-quality warning.' })
  @IsOptional()
  @IsIn(MESSAGE_WARNINGS)
  warning?: string;
}

export class RejectSearchDto extends TimeWindowDto {
  @ApiPropertyOptional({ description: 'MSH-10, when it could be read.' }) @IsOptional() @IsString() @Length(1, 199) controlId?: string;
  @ApiPropertyOptional({ description: 'Sending facility (MSH-4), when it could be read.' }) @IsOptional() @IsString() @Length(1, 180) facility?: string;
  @ApiPropertyOptional({ enum: ['open', 'replayed'] }) @IsOptional() @IsIn(['open', 'replayed']) status?: string;

  @ApiPropertyOptional({ description: 'HL7 table 0357 code, e.g. 101.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(999)
  errorCode?: number;
}

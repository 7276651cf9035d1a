import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsTimeZone,
  IsUrl,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { CHANNELS, type Channel } from '../notifications/delivery-plan';
import { ID_PATTERN } from '../notifications/recipient-key';
import { ROLES, type Role } from './roles';

const ID_MESSAGE = 'must be 1-64 letters, digits, dot, dash or underscore';
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

export class RecipientParams {
  @ApiProperty({ example: 'nurse-kim' })
  @Matches(ID_PATTERN, { message: `recipientId ${ID_MESSAGE}` })
  recipientId!: string;
}

export class RecipientUpsertDto {
  @ApiPropertyOptional({ example: 'Kim (RN)', description: 'How colleagues see this person; not patient data.' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  displayName?: string;

  @ApiProperty({ enum: ROLES, isArray: true, example: ['nurse'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  roles!: Role[];

  @ApiProperty({ type: [String], example: ['team-cardio'], description: 'Teams the person belongs to (replaces the current list).' })
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @Matches(ID_PATTERN, { each: true, message: `each team id ${ID_MESSAGE}` })
  teams!: string[];

  @ApiPropertyOptional({ default: true, description: 'Inactive people are not chosen as escalation targets.' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class RecipientQueryDto {
  @ApiPropertyOptional({ example: 'team-cardio' })
  @IsOptional()
  @Matches(ID_PATTERN, { message: `teamId ${ID_MESSAGE}` })
  teamId?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;
}

export class QuietHoursDto {
  @ApiProperty({ example: '22:00', description: 'Local start (inclusive), HH:MM.' })
  @Matches(HH_MM, { message: 'start must be HH:MM' })
  start!: string;

  @ApiProperty({ example: '07:00', description: 'Local end (exclusive), HH:MM; may be earlier than start (overnight).' })
  @Matches(HH_MM, { message: 'end must be HH:MM' })
  end!: string;

  @ApiProperty({ example: 'America/Chicago', description: 'IANA time zone of start and end.' })
  @IsTimeZone()
  timeZone!: string;
}

export class PreferencesDto {
  @ApiProperty({ enum: CHANNELS, isArray: true, example: ['sse', 'email'], description: 'Channels to deliver on.' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(CHANNELS, { each: true })
  channels!: Channel[];

  @ApiPropertyOptional({ example: 'kim@hospital.example', description: 'Required when channels include email.' })
  @IsOptional()
  @IsEmail()
  @Length(3, 254)
  email?: string;

  @ApiPropertyOptional({ type: QuietHoursDto, nullable: true, description: 'Routine items wait on webhook and email; urgent ones do not.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => QuietHoursDto)
  quietHours?: QuietHoursDto | null;
}

export class WebhookEndpointDto {
  @ApiProperty({ example: 'https://pager.hospital.example/hooks/sc' })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @Length(1, 2000)
  url!: string;

  @ApiProperty({ description: 'Shared secret for the HMAC-SHA256 signature; write-only, never returned.', minLength: 32 })
  @IsString()
  @Length(32, 256)
  secret!: string;
}

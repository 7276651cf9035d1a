import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, Matches } from 'class-validator';
import { SKILLS } from '../referrals/queue-routing';
import { ID } from '../referrals/referral.dto';

export class NurseDto {
  @ApiProperty({ example: 'nursing' })
  @Matches(ID, { message: 'teamId must be letters, digits, ., _ or -' })
  teamId!: string;

  @ApiProperty({ enum: ['nurse', 'supervisor'], description: 'A supervisor works every queue of the team and may release, reassign and close its referrals.' })
  @IsIn(['nurse', 'supervisor'])
  role!: 'nurse' | 'supervisor';

  @ApiProperty({ enum: SKILLS, isArray: true, description: 'The queues of the team this nurse takes referrals from.' })
  @IsArray()
  @ArrayMaxSize(SKILLS.length)
  @IsIn(SKILLS, { each: true })
  skills!: string[];

  @ApiProperty({ example: ['en', 'es'], description: 'ISO 639 codes (es, spa or es-MX all mean Spanish).' })
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})?$/, { each: true, message: 'each language must be an ISO 639 code' })
  languages!: string[];

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class NurseQueryDto {
  @ApiPropertyOptional() @IsOptional() @Matches(ID) teamId?: string;
}

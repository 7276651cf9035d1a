import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
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

  @ApiProperty({
    example: ['en', 'es'],
    description: 'ISO 639 codes of any part, BCP 47 tags or names (es, spa, es-MX, Spanish all mean Spanish); stored and shown as ISO 639-1 codes, a value no table names as given.',
  })
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  languages!: string[];

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class NurseQueryDto {
  @ApiPropertyOptional() @IsOptional() @Matches(ID) teamId?: string;
}

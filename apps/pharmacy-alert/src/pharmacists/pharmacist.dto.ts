import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsBoolean, IsIn, IsOptional, IsString, Length } from 'class-validator';

export const PHARMACY_ROLES = ['pharmacist', 'team-lead'] as const;

export class PharmacistDto {
  @ApiProperty({ example: 'team-specialty-cardio-ra' })
  @IsString()
  @Length(1, 64)
  teamId!: string;

  @ApiProperty({ enum: PHARMACY_ROLES })
  @IsIn(PHARMACY_ROLES)
  role!: (typeof PHARMACY_ROLES)[number];

  @ApiProperty({
    type: [String],
    description: 'Languages the pharmacist can counsel in: ISO 639 codes of any part, BCP 47 tags or names; stored (and shown) as ISO 639-1 codes, a value no table names as given.',
    example: ['en', 'es'],
  })
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  languages!: string[];

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class PharmacistView extends PharmacistDto {
  @ApiProperty() id!: string;
}

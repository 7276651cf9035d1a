import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsBoolean, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';

export const PHARMACY_ROLES = ['pharmacist', 'team-lead'] as const;

export class PharmacistDto {
  @ApiProperty({ example: 'team-specialty-cardio-ra' })
  @IsString()
  @Length(1, 64)
  teamId!: string;

  @ApiProperty({ enum: PHARMACY_ROLES })
  @IsIn(PHARMACY_ROLES)
  role!: (typeof PHARMACY_ROLES)[number];

  @ApiProperty({ type: [String], description: 'ISO 639 codes the pharmacist can counsel in.', example: ['en', 'es'] })
  @ArrayMaxSize(20)
  @Matches(/^[a-z]{2,3}$/, { each: true, message: 'languages must be lower-case ISO 639 codes' })
  languages!: string[];

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class PharmacistView extends PharmacistDto {
  @ApiProperty() id!: string;
}

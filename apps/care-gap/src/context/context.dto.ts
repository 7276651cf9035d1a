import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { ICD10_CODE } from '../rules/code-sets';
import { SENSITIVE_CATEGORIES, type SensitiveCategory } from '../gaps/sensitive-categories';

const SUBJECT = /^[A-Za-z0-9:._-]{1,128}$/;
const PLAN_ID = /^[A-Za-z0-9._-]{1,64}$/;
const ITEM_CODE = /^([A-V][0-9]{4}|[a-z0-9][a-z0-9-]{1,62})$/;

export class SubjectDto {
  @ApiProperty({ description: 'Pseudonymous patient reference (the events’ subject).', example: 'pt-3f9a1c' })
  @Matches(SUBJECT, { message: 'subject must be a patient reference (letters, digits, : . _ -)' })
  subject!: string;
}

export class ConditionRowDto extends SubjectDto {
  @ApiProperty({ example: 'I50.22', description: 'ICD-10-CM code.' })
  @Matches(ICD10_CODE, { message: 'code must be an ICD-10-CM code such as I50.22' })
  code!: string;

  @ApiPropertyOptional({ enum: ['ICD10'], default: 'ICD10' })
  @IsOptional()
  @IsIn(['ICD10'])
  codingSystem?: 'ICD10';

  @ApiProperty({ enum: ['active', 'resolved'] })
  @IsIn(['active', 'resolved'])
  status!: 'active' | 'resolved';
}

export class DeviceRowDto extends SubjectDto {
  @ApiProperty({ enum: ['HCPCS', 'PROGRAM'] })
  @IsIn(['HCPCS', 'PROGRAM'])
  system!: 'HCPCS' | 'PROGRAM';

  @ApiProperty({ example: 'A4670', description: 'HCPCS Level II code, or a program code.' })
  @Matches(ITEM_CODE, { message: 'code must be a HCPCS Level II code (A4670) or a program code' })
  code!: string;

  @ApiProperty({ enum: ['present', 'absent'], description: 'present closes a gap for the item; absent confirms it.' })
  @IsIn(['present', 'absent'])
  status!: 'present' | 'absent';
}

export class CoverageRowDto extends SubjectDto {
  @ApiProperty({ example: 'NSHP-GOLD' })
  @Matches(PLAN_ID, { message: 'planId must be letters, digits, . _ - (1-64)' })
  planId!: string;
}

export class QuantityLimitDto {
  @ApiProperty({ example: 1 })
  @IsInt()
  @Min(1)
  @Max(10_000)
  quantity!: number;

  @ApiProperty({ example: 1825, description: 'Period the quantity applies to, in days.' })
  @IsInt()
  @Min(1)
  @Max(3650)
  periodDays!: number;
}

export class BenefitRowDto {
  @ApiProperty({ example: 'NSHP-GOLD' })
  @Matches(PLAN_ID, { message: 'planId must be letters, digits, . _ - (1-64)' })
  planId!: string;

  @ApiProperty({ enum: ['HCPCS', 'PROGRAM', 'TASK'] })
  @IsIn(['HCPCS', 'PROGRAM', 'TASK'])
  itemSystem!: 'HCPCS' | 'PROGRAM' | 'TASK';

  @ApiProperty({ example: 'A4670' })
  @Matches(ITEM_CODE, { message: 'itemCode must be a HCPCS Level II code (A4670) or a program code' })
  itemCode!: string;

  @ApiProperty({ enum: ['covered', 'not-covered', 'prior-authorization'] })
  @IsIn(['covered', 'not-covered', 'prior-authorization'])
  coverage!: 'covered' | 'not-covered' | 'prior-authorization';

  @ApiPropertyOptional({ type: QuantityLimitDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => QuantityLimitDto)
  quantityLimit?: QuantityLimitDto | null;

  @ApiProperty({ example: 'NSHP-GOLD/DME-A4670', description: 'The payer’s id of this benefit rule, cited on each gap it decides.' })
  @IsString()
  @Length(1, 128)
  benefitRuleId!: string;
}

export class BulkUploadDto {
  @ApiProperty({ type: [Object], description: 'Rows; each is validated on its own, valid rows load even when others are rejected.' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @IsObject({ each: true })
  rows!: Record<string, unknown>[];
}

export class RowErrorView {
  @ApiProperty({ description: '1-based row number.' }) row!: number;
  @ApiProperty({ type: [String], description: 'Field paths and the rule each broke; never the values.' }) errors!: string[];
}

export class BulkResultView {
  @ApiProperty() accepted!: number;
  @ApiProperty() rejected!: number;
  @ApiProperty({ type: [RowErrorView] }) rowErrors!: RowErrorView[];
  @ApiProperty({ description: 'Gaps opened by the loaded rows.' }) gapsOpened!: number;
  @ApiProperty({ description: 'Gaps whose explanation or coverage changed.' }) gapsUpdated!: number;
  @ApiProperty({ description: 'Gaps the loaded rows closed.' }) gapsClosed!: number;
}

export class ConsentDto {
  @ApiProperty({ description: 'True when the patient consented to outreach and disclosure for the category; false withdraws it.' })
  @IsBoolean()
  granted!: boolean;


  @ApiProperty({ example: 'Signed 42 CFR Part 2 consent form on file' })
  @IsString()
  @Length(3, 500)
  reason!: string;
}

export class ConsentParams extends SubjectDto {
  @ApiProperty({ enum: SENSITIVE_CATEGORIES })
  @IsIn(SENSITIVE_CATEGORIES)
  category!: SensitiveCategory;
}

export class ConsentView {
  @ApiProperty({ enum: SENSITIVE_CATEGORIES }) category!: SensitiveCategory;
  @ApiProperty() granted!: boolean;
  @ApiProperty() actorId!: string;
  @ApiProperty() reason!: string;
  @ApiProperty() recordedAt!: string;
}

export class BenefitView {
  @ApiProperty({ enum: ['HCPCS', 'PROGRAM', 'TASK'] }) itemSystem!: 'HCPCS' | 'PROGRAM' | 'TASK';
  @ApiProperty() itemCode!: string;
  @ApiProperty({ enum: ['covered', 'not-covered', 'prior-authorization'] }) coverage!: 'covered' | 'not-covered' | 'prior-authorization';
  @ApiPropertyOptional({ type: QuantityLimitDto, nullable: true }) quantityLimit!: QuantityLimitDto | null;
  @ApiProperty() benefitRuleId!: string;
}

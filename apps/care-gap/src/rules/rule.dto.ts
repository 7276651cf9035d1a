import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { ICD10_CATEGORY, ICD10_PREFIX } from './code-sets';

export const RULE_TRIGGERS = ['conditions', 'medication-reconciliation-breach'] as const;
export type RuleTrigger = (typeof RULE_TRIGGERS)[number];
export const SEVERITIES = ['low', 'moderate', 'high'] as const;
export const ITEM_SYSTEMS = ['HCPCS', 'PROGRAM', 'TASK'] as const;

const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;

export class CategoryRangeDto {
  @ApiProperty({ example: 'I20', description: 'First 3-character ICD-10-CM category of the range (inclusive).' })
  @Matches(ICD10_CATEGORY, { message: 'from must be a 3-character ICD-10 category such as I20' })
  from!: string;

  @ApiProperty({ example: 'I25', description: 'Last category of the range (inclusive).' })
  @Matches(ICD10_CATEGORY, { message: 'to must be a 3-character ICD-10 category such as I25' })
  to!: string;
}

export class ConditionCodeSetDto {
  @ApiProperty({ enum: ['ICD10'] })
  @IsIn(['ICD10'])
  system!: 'ICD10';

  @ApiProperty({ type: [CategoryRangeDto], description: 'Category ranges, e.g. I20–I25 (coronary disease).' })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => CategoryRangeDto)
  ranges!: CategoryRangeDto[];

  @ApiProperty({ type: [String], example: ['I50'], description: 'Code prefixes, e.g. I50 (heart failure) or O10.0.' })
  @IsArray()
  @ArrayMaxSize(200)
  @Matches(ICD10_PREFIX, { each: true, message: 'each prefix must be an ICD-10 code prefix such as I50 or O10.0' })
  prefixes!: string[];
}

export class RuleItemDto {
  @ApiProperty({ enum: ITEM_SYSTEMS, description: 'HCPCS Level II for devices and supplies; PROGRAM or TASK for services and team work.' })
  @IsIn(ITEM_SYSTEMS)
  system!: (typeof ITEM_SYSTEMS)[number];

  @ApiProperty({ example: 'A4670' })
  @IsString()
  @Length(1, 64)
  code!: string;

  @ApiProperty({ example: 'Automatic blood pressure monitor' })
  @IsString()
  @Length(1, 200)
  display!: string;
}

/** One care-gap rule: which conditions call for which item, how serious, what to do. Versioned data. */
export class CareGapRuleDto {
  @ApiProperty({ example: 'bp-monitor-cardiovascular' })
  @Matches(SLUG, { message: 'id must be lower-case letters, digits and dashes (2-63)' })
  id!: string;

  @ApiProperty({ minimum: 1, description: 'Every change is a new version: the stored version plus one.' })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  version!: number;

  @ApiProperty({ description: 'False retires the rule: it opens no new gaps.' })
  @IsBoolean()
  enabled!: boolean;

  @ApiProperty({ example: 'home-bp-monitor', description: 'At most one open gap per patient and gap type; several rules may share one.' })
  @Matches(SLUG, { message: 'gapType must be lower-case letters, digits and dashes (2-63)' })
  gapType!: string;

  @ApiProperty()
  @IsString()
  @Length(1, 500)
  description!: string;

  @ApiProperty({ enum: RULE_TRIGGERS, description: 'conditions: evaluated on the stored clinical context; medication-reconciliation-breach: a pharmacy deadline breach.' })
  @IsIn(RULE_TRIGGERS)
  trigger!: RuleTrigger;

  @ApiPropertyOptional({ type: ConditionCodeSetDto, description: 'Required when trigger is conditions.' })
  @ValidateIf((rule: CareGapRuleDto) => rule.trigger === 'conditions' || rule.conditions !== undefined)
  @ValidateNested()
  @Type(() => ConditionCodeSetDto)
  conditions?: ConditionCodeSetDto;

  @ApiProperty({ type: RuleItemDto })
  @ValidateNested()
  @Type(() => RuleItemDto)
  item!: RuleItemDto;

  @ApiProperty({ description: 'The item goes to the patient’s home: no gap for a patient who died or went to a facility.' })
  @IsBoolean()
  homeItem!: boolean;

  @ApiProperty({ enum: SEVERITIES })
  @IsIn(SEVERITIES)
  severity!: (typeof SEVERITIES)[number];

  @ApiProperty({ example: 'Order a validated automatic upper-arm monitor and teach home readings.' })
  @IsString()
  @Length(1, 500)
  recommendedAction!: string;

  @ApiProperty({ description: 'Title of the nurse notification: minimum necessary, never a diagnosis (checked).', example: 'Care gap: home blood-pressure monitor to arrange' })
  @IsString()
  @Length(1, 160)
  notificationTitle!: string;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'Team that works the gap; the pharmacy task’s team or CARE_GAP_DEFAULT_TEAM_ID when absent.' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  teamId?: string | null;

  @ApiPropertyOptional({ description: 'Where a code is an approximation or a coverage caveat applies.' })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  codeNote?: string;
}

export class RuleChangeDto {
  @ApiProperty({ type: CareGapRuleDto })
  @ValidateNested()
  @Type(() => CareGapRuleDto)
  rule!: CareGapRuleDto;


  @ApiProperty({ example: 'Add I16 hypertensive crisis per committee review' })
  @IsString()
  @Length(3, 500)
  reason!: string;
}

export class DryRunDto {
  @ApiPropertyOptional({ description: 'A stored rule to try (its current version).' })
  @IsOptional()
  @Matches(SLUG)
  ruleId?: string;

  @ApiPropertyOptional({ type: CareGapRuleDto, description: 'A proposed rule, not stored.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => CareGapRuleDto)
  rule?: CareGapRuleDto;

  @ApiPropertyOptional({ default: 1000, maximum: 10_000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  limit?: number;
}

export class RuleVersionView {
  @ApiProperty() ruleId!: string;
  @ApiProperty() version!: number;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ type: CareGapRuleDto }) definition!: CareGapRuleDto;
  @ApiProperty({ description: 'Who made this version: a user id, or rules-file when loaded from the repository.' }) actorId!: string;
  @ApiProperty() reason!: string;
  @ApiProperty() changedAt!: string;
}

export class DryRunPatientView {
  @ApiProperty({ description: 'Pseudonymous patient reference.' }) subject!: string;
  @ApiProperty({
    enum: ['would-open', 'already-open', 'item-present', 'patient-expired', 'at-facility', 'sensitive-without-consent'],
  })
  outcome!: string;
  @ApiProperty({ type: [String], description: 'Matched codes; sensitive codes only with consent (empty otherwise).' }) matchedCodes!: string[];
  @ApiProperty({ enum: ['covered', 'not-covered', 'prior-authorization', 'unknown'] }) coverage!: string;
}

export class DryRunResultView {
  @ApiProperty() ruleId!: string;
  @ApiProperty() version!: number;
  @ApiProperty() patientsConsidered!: number;
  @ApiProperty({ description: 'Patients the rule would flag now (would-open or already-open).' }) flagged!: number;
  @ApiProperty({ type: Object, description: 'Count per outcome.' }) outcomes!: Record<string, number>;
  @ApiProperty({ type: [DryRunPatientView] }) patients!: DryRunPatientView[];
  @ApiProperty({ description: 'True when more candidate patients exist than the limit.' }) truncated!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) note!: string | null;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsISO8601, IsOptional, Matches, ValidateIf, ValidateNested } from 'class-validator';
import { TASK_OUTCOMES, type NeedKind, type TaskOutcome } from '@sc/contracts';

export const CONTACT_OUTCOMES = ['reached', 'no-answer', 'wrong-number', 'declined', 'left-message'] as const;
export type ContactOutcome = (typeof CONTACT_OUTCOMES)[number];
/**
 * Calls that did not reach the patient; two in time stand in for the TCM interactive contact. A
 * declined call is not one of them and meets no clock: the patient was reached and refused.
 */
export const UNSUCCESSFUL_CONTACT_OUTCOMES: readonly ContactOutcome[] = ['no-answer', 'wrong-number', 'left-message'];

export class ContactAttemptDto {
  @ApiProperty({ enum: CONTACT_OUTCOMES })
  @IsIn(CONTACT_OUTCOMES)
  outcome!: ContactOutcome;

  @ApiPropertyOptional({ description: 'When the call happened; now if omitted.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  attemptedAt?: string;
}

export class CodedMedicationDto {
  @ApiProperty({ enum: ['RXNORM', 'NDC'] })
  @IsIn(['RXNORM', 'NDC'])
  system!: 'RXNORM' | 'NDC';

  @ApiProperty({ example: '327361' })
  @Matches(/^[0-9-]{1,13}$/, { message: 'code must be an RxNorm id or an NDC' })
  code!: string;
}

export const DISCREPANCY_KINDS = ['omission', 'duplication', 'dose-mismatch', 'interaction', 'other'] as const;

export class DiscrepancyDto {
  @ApiProperty({ type: CodedMedicationDto })
  @ValidateNested()
  @Type(() => CodedMedicationDto)
  medication!: CodedMedicationDto;

  @ApiProperty({ enum: DISCREPANCY_KINDS })
  @IsIn(DISCREPANCY_KINDS)
  kind!: (typeof DISCREPANCY_KINDS)[number];
}

const medicationList = () => [IsArray(), ArrayMaxSize(100), ValidateNested({ each: true }), Type(() => CodedMedicationDto)];

function MedicationList(): PropertyDecorator {
  return (target, key) => medicationList().forEach((decorator) => decorator(target, key));
}

export class MedicationReconciliationDto {
  @ApiProperty({ type: [CodedMedicationDto] }) @MedicationList() homeMedications!: CodedMedicationDto[];
  @ApiProperty({ type: [CodedMedicationDto] }) @MedicationList() startedInHospital!: CodedMedicationDto[];
  @ApiProperty({ type: [CodedMedicationDto] }) @MedicationList() stopped!: CodedMedicationDto[];
  @ApiProperty({ type: [CodedMedicationDto] }) @MedicationList() changed!: CodedMedicationDto[];

  @ApiProperty({ type: [DiscrepancyDto] })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => DiscrepancyDto)
  discrepancies!: DiscrepancyDto[];

  @ApiPropertyOptional({ description: 'When the reconciliation was done (it may be documented later); now if omitted.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  reconciledAt?: string;
}

export const NEED_KINDS: readonly NeedKind[] = ['missing-home-device', 'diet-or-wellness', 'specialist-symptoms', 'in-home-care', 'social-needs'];

export class NeedFlagDto {
  @ApiProperty({ enum: NEED_KINDS })
  @IsIn(NEED_KINDS)
  need!: NeedKind;

  @ApiPropertyOptional({ enum: ['HCPCS', 'ICD10', 'PROGRAM'], description: 'HCPCS for a device (A4670 BP monitor), ICD-10 for symptoms, PROGRAM for a wellness program.' })
  @IsOptional()
  @IsIn(['HCPCS', 'ICD10', 'PROGRAM'])
  codeSystem?: 'HCPCS' | 'ICD10' | 'PROGRAM';

  @ApiPropertyOptional({ example: 'A4670' })
  @ValidateIf((flag: NeedFlagDto) => flag.codeSystem !== undefined)
  @Matches(/^[A-Z0-9][A-Z0-9.-]{1,15}$/, { message: 'code must be a code of codeSystem' })
  code?: string;
}

export class CompleteTaskDto {
  @ApiProperty({ enum: TASK_OUTCOMES })
  @IsIn(TASK_OUTCOMES)
  outcome!: TaskOutcome;
}

export class NeedFlagCreatedDto {
  @ApiProperty() flagId!: string;
  @ApiProperty() patientId!: string;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Validate,
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
  ValidateNested,
} from 'class-validator';

export const IDENTIFIER_TYPES = ['MR', 'MB', 'PI', 'PT', 'AN'] as const;
export const CONTACT_CHANNELS = ['phone', 'sms', 'email', 'mail'] as const;

export class RosterIdentifierDto {
  @ApiProperty({ description: 'Assigning authority, e.g. the hospital MRN namespace (PID-3.4).', example: 'LGH' })
  @IsString()
  @Length(1, 64)
  authority!: string;

  @ApiProperty({ example: '00482913' })
  @IsString()
  @Length(1, 64)
  value!: string;

  @ApiProperty({ enum: IDENTIFIER_TYPES, description: 'MR hospital MRN, MB plan member id, PI/PT patient ids.' })
  @IsIn(IDENTIFIER_TYPES)
  type!: (typeof IDENTIFIER_TYPES)[number];
}

const DRUG_CODE_FORMATS = {
  RXNORM: /^[1-9][0-9]{0,7}$/,
  NDC: /^(\d{4}-\d{4}-\d{2}|\d{5}-\d{3}-\d{2}|\d{5}-\d{4}-\d|\d{11})$/,
} as const;

/** An RxNorm concept id is digits; an NDC is 4-4-2, 5-3-2, 5-4-1 or 11 digits. */
@ValidatorConstraint({ name: 'drugCodeFormat' })
class DrugCodeFormat implements ValidatorConstraintInterface {
  validate(code: unknown, args: ValidationArguments): boolean {
    const system = (args.object as { drugSystem?: unknown }).drugSystem;
    return typeof code === 'string' && (system === 'RXNORM' || system === 'NDC') && DRUG_CODE_FORMATS[system].test(code);
  }

  defaultMessage(): string {
    return 'drugCode is not a valid code of drugSystem (RxNorm: digits; NDC: 4-4-2, 5-3-2, 5-4-1 or 11 digits)';
  }
}

export class RosterTherapyDto {
  @ApiProperty({ enum: ['RXNORM', 'NDC'] })
  @IsIn(['RXNORM', 'NDC'])
  drugSystem!: 'RXNORM' | 'NDC';

  @ApiProperty({ example: '1657981' })
  @Validate(DrugCodeFormat)
  drugCode!: string;

  @ApiPropertyOptional({ example: 'adalimumab' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  drugName?: string;

  @ApiPropertyOptional({ description: 'ICD-10 code of the condition treated.', example: 'M06.9' })
  @IsOptional()
  @Matches(/^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$/, { message: 'conditionCode must be an ICD-10 code' })
  conditionCode?: string;
}

/** One specialty-pharmacy patient; validated row by row so a bad row does not sink a file. */
export class RosterPatientDto {
  @ApiProperty({ example: 'SP-100234' })
  @IsString()
  @Length(1, 64)
  pharmacyPatientId!: string;

  @ApiProperty()
  @IsString()
  @Length(1, 100)
  familyName!: string;

  @ApiProperty()
  @IsString()
  @Length(1, 100)
  givenName!: string;

  @ApiProperty({ example: '1968-04-12' })
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'birthDate must be YYYY-MM-DD' })
  birthDate!: string;

  @ApiPropertyOptional({ enum: ['F', 'M', 'O', 'U'] })
  @IsOptional()
  @IsIn(['F', 'M', 'O', 'U'])
  sex?: string;

  @ApiPropertyOptional({
    description: 'Any ISO 639 code (639-1, 639-2/B or /T, 639-3), BCP 47 tag, HL7 CE/CWE or language name; stored as the ISO 639-1 code, or as given when no table names it (reported in rowWarnings).',
    example: 'es',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  preferredLanguage?: string;

  @ApiPropertyOptional({ example: 'pharm-ana' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  pharmacistId?: string;

  @ApiPropertyOptional({ example: 'team-cardio-ra' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  teamId?: string;

  @ApiPropertyOptional({ description: 'False when the patient opted out of outreach; the task is then coordination only.', default: true })
  @IsOptional()
  @IsBoolean()
  outreachConsent?: boolean;

  @ApiPropertyOptional({
    enum: CONTACT_CHANNELS,
    isArray: true,
    description: 'Channels the patient agreed to be contacted on; leaving one out is an opt-out. Without phone, a discharge becomes a chart review.',
    default: ['phone'],
  })
  @IsOptional()
  @IsArray()
  @IsIn(CONTACT_CHANNELS, { each: true })
  contactChannels?: Array<(typeof CONTACT_CHANNELS)[number]>;

  @ApiProperty({ type: [RosterIdentifierDto] })
  @IsArray()
  @ArrayMinSize(1, { message: 'identifiers must hold at least one identifier' })
  @ValidateNested({ each: true })
  @Type(() => RosterIdentifierDto)
  identifiers!: RosterIdentifierDto[];

  @ApiPropertyOptional({ type: [RosterTherapyDto] })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => RosterTherapyDto)
  therapies?: RosterTherapyDto[];
}

export class RosterUploadDto {
  @ApiProperty({ description: 'Rows to upsert; each is validated on its own (see RosterPatientDto).', type: [Object] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @IsObject({ each: true })
  patients!: Record<string, unknown>[];
}

export class RosterRowErrorDto {
  @ApiProperty() row!: number;
  @ApiProperty({ type: [String], description: 'Field paths and the rule each broke; never the values.' }) errors!: string[];
}

export class RosterUploadResultDto {
  @ApiProperty() accepted!: number;
  @ApiProperty() rejected!: number;
  @ApiProperty({ type: [RosterRowErrorDto] }) rowErrors!: RosterRowErrorDto[];
  @ApiProperty({ type: [RosterRowErrorDto], description: 'Rows accepted with a value kept as given (e.g. a language no ISO 639 table names).' })
  rowWarnings!: RosterRowErrorDto[];
}

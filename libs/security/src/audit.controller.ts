import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsISO8601, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { AuditLog, type AuditRecord } from './audit-log';
import { Roles } from './decorators';

export class AuditQueryDto {
  @ApiPropertyOptional({ description: 'Patient reference (the id this service uses for the patient).' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  patientRef?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 128) actorId?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601() from?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601() to?: string;

  @ApiPropertyOptional({ default: 200, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class AuditRecordView {
  @ApiProperty() seq!: string;
  @ApiProperty() at!: string;
  @ApiProperty() actorId!: string;
  @ApiProperty({ type: [String] }) actorRoles!: string[];
  @ApiProperty() action!: string;
  @ApiProperty() resource!: string;
  @ApiProperty({ type: [String] }) patientRefs!: string[];
  @ApiProperty() purpose!: string;
  @ApiProperty() outcome!: number;
  @ApiProperty() hash!: string;
}

export class AuditVerificationView {
  @ApiProperty() valid!: boolean;
  @ApiProperty() checked!: number;
  @ApiPropertyOptional({ nullable: true, type: String }) firstBrokenSeq!: string | null;
}

/** The compliance view of the audit log; these reads are themselves audited by the interceptor. */
@ApiTags('audit')
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @Roles('compliance')
  @ApiOkResponse({ type: [AuditRecordView] })
  search(@Query() query: AuditQueryDto): Promise<AuditRecord[]> {
    return this.audit.search(query);
  }

  @Get('verify')
  @Roles('compliance')
  @ApiOkResponse({ type: AuditVerificationView, description: 'Recomputes the hash chain from the first entry.' })
  verify(): Promise<AuditVerificationView> {
    return this.audit.verify();
  }
}

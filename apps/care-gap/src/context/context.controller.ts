import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import type { PlanBenefit } from '@sc/contracts';
import { BenefitView, BulkResultView, BulkUploadDto, ConsentParams, ConsentDto, ConsentView } from './context.dto';
import { ContextService } from './context.service';
import { AuditPatient, CurrentPrincipal, NoTeamScope, Roles, ScopeByResource, type Principal } from '@sc/security';
import { SubjectOwners } from '../access/owners';

const rowSubjects = (request: { body: unknown }): string[] =>
  ((request.body as { rows?: Array<{ subject?: unknown }> }).rows ?? []).map((row) => (typeof row.subject === 'string' ? row.subject : ''));
const subjectParam = (request: { params: unknown }): string[] => [(request.params as { subject?: string }).subject ?? ''];

@ApiTags('clinical context')
@Controller('v1')
export class ContextController {
  constructor(private readonly context: ContextService) {}

  @Post('context/conditions')
  @HttpCode(200)
  @Roles('integration', 'admin')
  @AuditPatient(rowSubjects)
  @ApiOkResponse({ type: BulkResultView, description: 'Rows: ConditionRowDto (subject, ICD-10 code, active|resolved). Each patient is evaluated after its rows load.' })
  loadConditions(@Body() body: BulkUploadDto): Promise<BulkResultView> {
    return this.context.loadConditions(body.rows);
  }

  @Post('context/devices')
  @HttpCode(200)
  @Roles('integration', 'admin')
  @AuditPatient(rowSubjects)
  @ApiOkResponse({ type: BulkResultView, description: 'Rows: DeviceRowDto (subject, HCPCS code, present|absent). A present item closes its gap.' })
  loadDevices(@Body() body: BulkUploadDto): Promise<BulkResultView> {
    return this.context.loadDevices(body.rows);
  }

  @Post('context/coverage')
  @HttpCode(200)
  @Roles('integration', 'admin')
  @AuditPatient(rowSubjects)
  @ApiOkResponse({ type: BulkResultView, description: 'Rows: CoverageRowDto (subject, planId): plan membership from an eligibility file.' })
  loadCoverage(@Body() body: BulkUploadDto): Promise<BulkResultView> {
    return this.context.loadCoverage(body.rows);
  }

  @Post('context/benefits')
  @HttpCode(200)
  @Roles('integration', 'admin')
  @ApiOkResponse({ type: BulkResultView, description: 'Rows: BenefitRowDto (planId, item, coverage, quantity limit, benefit rule id). Open gaps of the plan’s members are re-decided.' })
  loadBenefits(@Body() body: BulkUploadDto): Promise<BulkResultView> {
    return this.context.loadBenefits(body.rows);
  }

  @Get('plans/:planId/benefits')
  @Roles('nurse', 'pharmacist', 'team-lead', 'supervisor', 'integration', 'admin')
  @NoTeamScope('a plan’s benefit rules; no patient or work item')
  @ApiOkResponse({ type: [BenefitView] })
  benefits(@Param('planId') planId: string): Promise<PlanBenefit[]> {
    return this.context.benefitsOf(planId);
  }

  @Put('patients/:subject/consents/:category')
  @Roles('nurse', 'pharmacist', 'supervisor', 'integration')
  @ScopeByResource(SubjectOwners, 'subject')
  @AuditPatient(subjectParam)
  @ApiOkResponse({ type: [ConsentView], description: 'The patient’s consents after the change; the patient’s gaps are evaluated again.' })
  recordConsent(@Param() params: ConsentParams, @Body() body: ConsentDto, @CurrentPrincipal() principal: Principal): Promise<ConsentView[]> {
    return this.context.recordConsent(params.subject, params.category, body, principal.id);
  }

  @Get('patients/:subject/consents')
  @Roles('nurse', 'pharmacist', 'supervisor', 'compliance')
  @ScopeByResource(SubjectOwners, 'subject')
  @AuditPatient(subjectParam)
  @ApiParam({ name: 'subject', description: 'Pseudonymous patient reference.' })
  @ApiOkResponse({ type: [ConsentView] })
  consents(@Param('subject') subject: string): Promise<ConsentView[]> {
    return this.context.consentsOf(subject);
  }
}

import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditPatient, CurrentPrincipal, Roles, ScopeByResource, ScopeFiltered, VisibleTeams, type Principal } from '@sc/security';
import { ReferralOwners } from '../access/owners';
import { OrderDto, ReasonedStepDto, ReassignDto, ReferralQueryDto, ScheduleDto, StepDto } from './referral.dto';
import { ReferralQueries } from './referral-queries.service';
import { ReferralWorkflowService } from './referral-workflow.service';
import { ReferralDetailView, ReferralView, toReferralView } from './referral.views';

const uuid = new ParseUUIDPipe();
const referralSubjects = (_request: unknown, result: unknown): string[] =>
  (Array.isArray(result) ? (result as Array<{ subject?: string }>) : [result as { subject?: string } | undefined]).map((referral) => referral?.subject ?? '');

@ApiTags('referrals')
@Controller('v1/referrals')
@ApiNotFoundResponse({ description: 'REFERRAL_NOT_FOUND, or NURSE_NOT_FOUND for a nurse who is not registered.' })
export class ReferralsController {
  constructor(
    private readonly queries: ReferralQueries,
    private readonly workflow: ReferralWorkflowService,
  ) {}

  @Get()
  @Roles('nurse', 'team-lead', 'supervisor')
  @ScopeFiltered()
  @AuditPatient(referralSubjects)
  @ApiOperation({ summary: 'Referrals by queue, team, status, type, holder, patient or episode; by priority, then due time.' })
  @ApiOkResponse({ type: [ReferralView] })
  list(@Query() query: ReferralQueryDto, @VisibleTeams() teams: readonly string[] | undefined): Promise<ReferralView[]> {
    return this.queries.list({ ...query, teamIds: teams });
  }

  @Get(':id')
  @Roles('nurse', 'team-lead', 'supervisor')
  @ScopeByResource(ReferralOwners)
  @AuditPatient(referralSubjects)
  @ApiOperation({ summary: 'One referral with its history (every step, who did it and why).' })
  @ApiOkResponse({ type: ReferralDetailView })
  get(@Param('id', uuid) id: string): Promise<ReferralDetailView> {
    return this.queries.get(id);
  }

  @Post(':id/claim')
  @HttpCode(200)
  @Roles('nurse', 'team-lead')
  @ScopeByResource(ReferralOwners)
  @AuditPatient(referralSubjects)
  @ApiOperation({ summary: 'Claim this referral (new, or held by an expired lease) for the acting nurse, with a lease.' })
  @ApiOkResponse({ type: ReferralView })
  @ApiConflictResponse({ description: 'ALREADY_CLAIMED, INVALID_TRANSITION or NURSE_INACTIVE.' })
  @ApiForbiddenResponse({ description: 'NOT_IN_QUEUE: the nurse does not work this referral’s team and skill.' })
  async claim(@Param('id', uuid) id: string, @Body() body: StepDto, @CurrentPrincipal() principal: Principal): Promise<ReferralView> {
    return toReferralView(await this.workflow.claim(id, { ...body, actorId: principal.id }));
  }

  @Post(':id/renew')
  @HttpCode(200)
  @Roles('nurse', 'team-lead')
  @ScopeByResource(ReferralOwners)
  @AuditPatient(referralSubjects)
  @ApiOperation({ summary: 'Renew the holder’s lease; call it while working, or the referral goes back to the queue.' })
  @ApiOkResponse({ type: ReferralView })
  @ApiConflictResponse({ description: 'NOT_CLAIMANT, LEASE_EXPIRED or INVALID_TRANSITION (nothing to renew).' })
  async renew(@Param('id', uuid) id: string, @CurrentPrincipal() principal: Principal): Promise<ReferralView> {
    return toReferralView(await this.workflow.renew(id, principal.id));
  }

  @Post(':id/release')
  @HttpCode(200)
  @Roles('nurse', 'team-lead', 'supervisor')
  @ScopeByResource(ReferralOwners)
  @AuditPatient(referralSubjects)
  @ApiOperation({ summary: 'Give the referral back to its queue (holder or team supervisor).' })
  @ApiOkResponse({ type: ReferralView })
  @ApiConflictResponse({ description: 'INVALID_TRANSITION, NOT_CLAIMANT or LEASE_EXPIRED.' })
  async release(@Param('id', uuid) id: string, @Body() body: ReasonedStepDto, @CurrentPrincipal() principal: Principal): Promise<ReferralView> {
    return toReferralView(await this.workflow.release(id, { ...body, actorId: principal.id }));
  }

  @Post(':id/reassign')
  @HttpCode(200)
  @Roles('nurse', 'team-lead', 'supervisor')
  @ScopeByResource(ReferralOwners)
  @AuditPatient(referralSubjects)
  @ApiOperation({ summary: 'Hand the referral to another nurse of its queue (holder or supervisor; a supervisor may assign a waiting one).' })
  @ApiOkResponse({ type: ReferralView })
  @ApiConflictResponse({ description: 'INVALID_TRANSITION, NOT_CLAIMANT, LEASE_EXPIRED or NURSE_INACTIVE.' })
  @ApiForbiddenResponse({ description: 'NOT_SUPERVISOR or NOT_IN_QUEUE.' })
  async reassign(@Param('id', uuid) id: string, @Body() body: ReassignDto, @CurrentPrincipal() principal: Principal): Promise<ReferralView> {
    return toReferralView(await this.workflow.reassign(id, { ...body, actorId: principal.id }));
  }

  @Post(':id/start')
  @HttpCode(200)
  @Roles('nurse', 'team-lead')
  @ScopeByResource(ReferralOwners)
  @AuditPatient(referralSubjects)
  @ApiOperation({ summary: 'claimed -> in-progress (the holder; renews the lease).' })
  @ApiOkResponse({ type: ReferralView })
  @ApiConflictResponse({ description: 'INVALID_TRANSITION, NOT_CLAIMANT or LEASE_EXPIRED.' })
  async start(@Param('id', uuid) id: string, @Body() body: StepDto, @CurrentPrincipal() principal: Principal): Promise<ReferralView> {
    return toReferralView(await this.workflow.start(id, { ...body, actorId: principal.id }));
  }

  @Post(':id/schedule')
  @HttpCode(200)
  @Roles('nurse', 'team-lead')
  @ScopeByResource(ReferralOwners)
  @AuditPatient(referralSubjects)
  @ApiOperation({ summary: 'in-progress -> scheduled: visit, program or service booked (not for equipment or briefings).' })
  @ApiOkResponse({ type: ReferralView })
  @ApiConflictResponse({ description: 'INVALID_TRANSITION, STEP_NOT_FOR_TYPE, NOT_CLAIMANT or LEASE_EXPIRED.' })
  async schedule(@Param('id', uuid) id: string, @Body() body: ScheduleDto, @CurrentPrincipal() principal: Principal): Promise<ReferralView> {
    return toReferralView(await this.workflow.schedule(id, { ...body, actorId: principal.id, scheduledFor: new Date(body.scheduledFor) }));
  }

  @Post(':id/order')
  @HttpCode(200)
  @Roles('nurse', 'team-lead')
  @ScopeByResource(ReferralOwners)
  @AuditPatient(referralSubjects)
  @ApiOperation({ summary: 'in-progress -> ordered: equipment ordered from the supplier (briefings are ordered by sending them).' })
  @ApiOkResponse({ type: ReferralView })
  @ApiConflictResponse({ description: 'INVALID_TRANSITION, STEP_NOT_FOR_TYPE, NOT_CLAIMANT or LEASE_EXPIRED.' })
  async order(@Param('id', uuid) id: string, @Body() body: OrderDto, @CurrentPrincipal() principal: Principal): Promise<ReferralView> {
    return toReferralView(await this.workflow.order(id, { ...body, actorId: principal.id }));
  }

  @Post(':id/complete')
  @HttpCode(200)
  @Roles('nurse', 'team-lead')
  @ScopeByResource(ReferralOwners)
  @AuditPatient(referralSubjects)
  @ApiOperation({ summary: 'scheduled | ordered -> completed: visit done, device delivered (holder or supervisor).' })
  @ApiOkResponse({ type: ReferralView })
  @ApiConflictResponse({ description: 'INVALID_TRANSITION or NOT_CLAIMANT.' })
  async complete(@Param('id', uuid) id: string, @Body() body: ReasonedStepDto, @CurrentPrincipal() principal: Principal): Promise<ReferralView> {
    return toReferralView(await this.workflow.complete(id, { ...body, actorId: principal.id }));
  }

  @Post(':id/decline')
  @HttpCode(200)
  @Roles('nurse', 'team-lead')
  @ScopeByResource(ReferralOwners)
  @AuditPatient(referralSubjects)
  @ApiOperation({ summary: 'The patient declined (holder or supervisor).' })
  @ApiOkResponse({ type: ReferralView })
  @ApiConflictResponse({ description: 'INVALID_TRANSITION, NOT_CLAIMANT or LEASE_EXPIRED.' })
  async decline(@Param('id', uuid) id: string, @Body() body: ReasonedStepDto, @CurrentPrincipal() principal: Principal): Promise<ReferralView> {
    return toReferralView(await this.workflow.decline(id, { ...body, actorId: principal.id }));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('nurse', 'team-lead', 'supervisor')
  @ScopeByResource(ReferralOwners)
  @AuditPatient(referralSubjects)
  @ApiOperation({ summary: 'Cancel an open referral (holder or supervisor), e.g. duplicate or no longer needed.' })
  @ApiOkResponse({ type: ReferralView })
  @ApiConflictResponse({ description: 'INVALID_TRANSITION, NOT_CLAIMANT or LEASE_EXPIRED.' })
  async cancel(@Param('id', uuid) id: string, @Body() body: ReasonedStepDto, @CurrentPrincipal() principal: Principal): Promise<ReferralView> {
    return toReferralView(await this.workflow.cancel(id, { ...body, actorId: principal.id }));
  }
}

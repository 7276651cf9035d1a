import { ReferralOwners } from '../access/owners';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditPatient, CurrentPrincipal, Roles, ScopeByResource, type Principal } from '@sc/security';
import { AcknowledgeBriefingDto, SendBriefingDto } from './briefing.dto';
import { BriefingService } from './briefing.service';
import { BriefingView, toBriefingView } from './briefing.views';

const uuid = new ParseUUIDPipe();
const briefingPatient = (_request: unknown, briefing: unknown): string[] => [(briefing as BriefingView | undefined)?.subject ?? ''];

@ApiTags('briefings')
@Controller('v1/referrals/:id/briefing')
@ApiNotFoundResponse({ description: 'REFERRAL_NOT_FOUND' })
export class BriefingsController {
  constructor(private readonly briefings: BriefingService) {}

  @Get()
  @Roles('nurse', 'team-lead', 'supervisor')
  @ScopeByResource(ReferralOwners)
  @AuditPatient(briefingPatient)
  @ApiOperation({ summary: 'The specialist briefing: a draft assembled now, or the packet as it was sent.' })
  @ApiOkResponse({ type: BriefingView })
  @ApiConflictResponse({ description: 'NOT_A_BRIEFING' })
  async get(@Param('id', uuid) id: string): Promise<BriefingView> {
    return toBriefingView(await this.briefings.get(id));
  }

  @Post('send')
  @Roles('nurse', 'team-lead')
  @ScopeByResource(ReferralOwners)
  @AuditPatient(briefingPatient)
  @HttpCode(200)
  @ApiOperation({ summary: 'Send the packet to the specialist (the holder, in progress): the referral is ordered and `referral.briefing-sent` is emitted.' })
  @ApiOkResponse({ type: BriefingView })
  @ApiConflictResponse({ description: 'NOT_A_BRIEFING, INVALID_TRANSITION, NOT_CLAIMANT or LEASE_EXPIRED.' })
  async send(@Param('id', uuid) id: string, @Body() body: SendBriefingDto, @CurrentPrincipal() principal: Principal): Promise<BriefingView> {
    return toBriefingView(await this.briefings.send(id, { ...body, actorId: principal.id }));
  }

  @Post('acknowledge')
  @Roles('integration', 'nurse', 'team-lead')
  @ScopeByResource(ReferralOwners)
  @AuditPatient(briefingPatient)
  @HttpCode(200)
  @ApiOperation({ summary: 'The specialist acknowledged the briefing: the referral is completed. Repeating it answers the same.' })
  @ApiOkResponse({ type: BriefingView })
  @ApiConflictResponse({ description: 'NOT_A_BRIEFING, BRIEFING_NOT_SENT or INVALID_TRANSITION (e.g. cancelled meanwhile).' })
  async acknowledge(@Param('id', uuid) id: string, @Body() body: AcknowledgeBriefingDto): Promise<BriefingView> {
    return toBriefingView(await this.briefings.acknowledge(id, { acknowledgedBy: body.acknowledgedBy, acknowledgedAt: body.acknowledgedAt ? new Date(body.acknowledgedAt) : undefined }));
  }
}

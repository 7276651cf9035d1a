import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiForbiddenResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import type { Response } from 'express';
import { AuditPatient, CurrentPrincipal, NoTeamScope, Roles, ScopeByTeam, type Principal } from '@sc/security';
import { ClaimNextDto, ID } from '../referrals/referral.dto';
import { ReferralQueries } from '../referrals/referral-queries.service';
import { ReferralWorkflowService } from '../referrals/referral-workflow.service';
import { ReferralView, toReferralView } from '../referrals/referral.views';
import { QueueStatsView } from './queue.views';

export class QueueQueryDto {
  @ApiPropertyOptional({ description: 'One team’s queues.' }) @IsOptional() @Matches(ID) teamId?: string;
}

@ApiTags('queues')
@Controller('v1/queues')
export class QueuesController {
  constructor(
    private readonly queries: ReferralQueries,
    private readonly workflow: ReferralWorkflowService,
  ) {}

  @Get()
  @Roles('team-lead', 'supervisor')
  @ScopeByTeam('teamId', 'query')
  @ApiOperation({ summary: 'Supervisor view: depth, age and SLA breaches per queue (team and skill).' })
  @ApiOkResponse({ type: [QueueStatsView] })
  stats(@Query() query: QueueQueryDto): Promise<QueueStatsView[]> {
    return this.queries.queueStats(query.teamId ?? null);
  }

  @Post('claims')
  @HttpCode(200)
  @Roles('nurse', 'team-lead')
  @NoTeamScope('takes from the queues the nurse is registered for (NOT_IN_QUEUE otherwise), never a named referral')
  @AuditPatient((_request, referral) => [(referral as { subject?: string } | undefined)?.subject])
  @ApiOperation({
    summary: 'Take the next referral: highest priority, then earliest due, from the nurse’s queues, in a language the nurse speaks (or waiting past the language hold). The claim is a lease.',
  })
  @ApiOkResponse({ type: ReferralView, description: 'The referral now held by the nurse.' })
  @ApiNoContentResponse({ description: 'Nothing to take.' })
  @ApiNotFoundResponse({ description: 'NURSE_NOT_FOUND.' })
  @ApiConflictResponse({ description: 'NURSE_INACTIVE.' })
  @ApiForbiddenResponse({ description: 'NOT_IN_QUEUE: the named queue is not one the nurse works.' })
  async claimNext(@Body() body: ClaimNextDto, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) response: Response): Promise<ReferralView | undefined> {
    const referral = await this.workflow.claimNext(principal.id, body.queueId);
    if (!referral) {
      response.status(204);
      return undefined;
    }
    return toReferralView(referral);
  }
}

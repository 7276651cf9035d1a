import { Body, Controller, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { AuditPatient, CurrentPrincipal, Roles, canSeeTeam, type Principal } from '@sc/security';
import { GapQueryDto, GapTransitionDto, TeamGapQueryDto } from './gap.dto';
import { GapService } from './gap.service';
import { GapView } from './gap.views';

const READERS = ['nurse', 'pharmacist', 'team-lead', 'supervisor'] as const;
const gapSubjects = (_request: unknown, result: unknown): string[] =>
  (Array.isArray(result) ? (result as GapView[]) : [result as GapView | undefined]).map((gap) => gap?.subject ?? '');

@ApiTags('gaps')
@Controller('v1')
export class GapsController {
  constructor(private readonly gaps: GapService) {}

  @Get('gaps')
  @Roles(...READERS)
  @AuditPatient(gapSubjects)
  @ApiOkResponse({ type: [GapView], description: 'Gaps by patient, team or status; most severe first, then oldest.' })
  async list(@Query() query: GapQueryDto, @CurrentPrincipal() principal: Principal): Promise<GapView[]> {
    return visibleTo(principal, await this.gaps.find(query));
  }

  @Get('gaps/:id')
  @Roles(...READERS)
  @AuditPatient(gapSubjects)
  @ApiOkResponse({ type: GapView, description: 'The gap with its explanation, coverage and every state change.' })
  @ApiNotFoundResponse()
  async get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() principal: Principal): Promise<GapView> {
    const gap = await this.gaps.get(id);
    if (!canSeeTeam(principal, gap.teamId)) {
      throw new NotFoundException(`gap ${id} not found`);
    }
    return gap;
  }

  @Post('gaps/:id/transitions')
  @HttpCode(200)
  @Roles('nurse', 'team-lead', 'supervisor')
  @AuditPatient(gapSubjects)
  @ApiOkResponse({ type: GapView })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'The step is not allowed from the gap’s current state.' })
  async transition(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: GapTransitionDto, @CurrentPrincipal() principal: Principal): Promise<GapView> {
    if (!canSeeTeam(principal, (await this.gaps.get(id)).teamId)) {
      throw new NotFoundException(`gap ${id} not found`);
    }
    return this.gaps.transition(id, body, principal.id);
  }

  @Get('patients/:subject/gaps')
  @Roles(...READERS)
  @AuditPatient((request) => [(request.params as { subject?: string }).subject])
  @ApiParam({ name: 'subject', description: 'Pseudonymous patient reference.' })
  @ApiOkResponse({ type: [GapView], description: 'Every gap of the patient, open and closed.' })
  async byPatient(@Param('subject') subject: string, @CurrentPrincipal() principal: Principal): Promise<GapView[]> {
    return visibleTo(principal, await this.gaps.find({ subject }));
  }

  @Get('teams/:teamId/gaps')
  @Roles(...READERS)
  @AuditPatient(gapSubjects)
  @ApiOkResponse({ type: [GapView], description: 'The team’s worklist: open gaps unless a status is given.' })
  async byTeam(@Param('teamId') teamId: string, @Query() query: TeamGapQueryDto, @CurrentPrincipal() principal: Principal): Promise<GapView[]> {
    return visibleTo(principal, await this.gaps.find({ teamId, status: query.status, openOnly: query.status === undefined }));
  }
}

/** Nurses and pharmacists see only their teams' gaps; supervisors see all. */
function visibleTo(principal: Principal, gaps: GapView[]): GapView[] {
  return gaps.filter((gap) => canSeeTeam(principal, gap.teamId));
}

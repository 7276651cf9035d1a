import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { AuditPatient, CurrentPrincipal, Roles, ScopeByResource, ScopeByTeam, ScopeFiltered, VisibleTeams, type Principal } from '@sc/security';
import { GapOwners } from '../access/owners';
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
  @ScopeFiltered()
  @AuditPatient(gapSubjects)
  @ApiOkResponse({ type: [GapView], description: 'Gaps by patient, team or status; most severe first, then oldest.' })
  async list(@Query() query: GapQueryDto, @VisibleTeams() teams: readonly string[] | undefined): Promise<GapView[]> {
    return onlyOf(teams, await this.gaps.find(query));
  }

  @Get('gaps/:id')
  @Roles(...READERS)
  @ScopeByResource(GapOwners)
  @AuditPatient(gapSubjects)
  @ApiOkResponse({ type: GapView, description: 'The gap with its explanation, coverage and every state change.' })
  @ApiNotFoundResponse()
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<GapView> {
    return this.gaps.get(id);
  }

  @Post('gaps/:id/transitions')
  @HttpCode(200)
  @Roles('nurse', 'team-lead', 'supervisor')
  @ScopeByResource(GapOwners)
  @AuditPatient(gapSubjects)
  @ApiOkResponse({ type: GapView })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'The step is not allowed from the gap’s current state.' })
  transition(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: GapTransitionDto, @CurrentPrincipal() principal: Principal): Promise<GapView> {
    return this.gaps.transition(id, body, principal.id);
  }

  @Get('patients/:subject/gaps')
  @Roles(...READERS)
  @ScopeFiltered()
  @AuditPatient((request) => [(request.params as { subject?: string }).subject])
  @ApiParam({ name: 'subject', description: 'Pseudonymous patient reference.' })
  @ApiOkResponse({ type: [GapView], description: 'Every gap of the patient, open and closed.' })
  async byPatient(@Param('subject') subject: string, @VisibleTeams() teams: readonly string[] | undefined): Promise<GapView[]> {
    return onlyOf(teams, await this.gaps.find({ subject }));
  }

  @Get('teams/:teamId/gaps')
  @Roles(...READERS)
  @ScopeByTeam('teamId', 'path')
  @AuditPatient(gapSubjects)
  @ApiOkResponse({ type: [GapView], description: 'The team’s worklist: open gaps unless a status is given.' })
  byTeam(@Param('teamId') teamId: string, @Query() query: TeamGapQueryDto): Promise<GapView[]> {
    return this.gaps.find({ teamId, status: query.status, openOnly: query.status === undefined });
  }
}

/** A list narrowed to the caller's teams (`undefined`: the caller sees every team). */
function onlyOf(teams: readonly string[] | undefined, gaps: GapView[]): GapView[] {
  return teams ? gaps.filter((gap) => gap.teamId !== null && teams.includes(gap.teamId)) : gaps;
}

import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { GapQueryDto, GapTransitionDto, TeamGapQueryDto } from './gap.dto';
import { GapService } from './gap.service';
import { GapView } from './gap.views';

@ApiTags('gaps')
@Controller('v1')
export class GapsController {
  constructor(private readonly gaps: GapService) {}

  @Get('gaps')
  @ApiOkResponse({ type: [GapView], description: 'Gaps by patient, team or status; most severe first, then oldest.' })
  list(@Query() query: GapQueryDto): Promise<GapView[]> {
    return this.gaps.find(query);
  }

  @Get('gaps/:id')
  @ApiOkResponse({ type: GapView, description: 'The gap with its explanation, coverage and every state change.' })
  @ApiNotFoundResponse()
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<GapView> {
    return this.gaps.get(id);
  }

  @Post('gaps/:id/transitions')
  @HttpCode(200)
  @ApiOkResponse({ type: GapView })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'The step is not allowed from the gap’s current state.' })
  transition(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: GapTransitionDto): Promise<GapView> {
    return this.gaps.transition(id, body);
  }

  @Get('patients/:subject/gaps')
  @ApiParam({ name: 'subject', description: 'Pseudonymous patient reference.' })
  @ApiOkResponse({ type: [GapView], description: 'Every gap of the patient, open and closed.' })
  byPatient(@Param('subject') subject: string): Promise<GapView[]> {
    return this.gaps.find({ subject });
  }

  @Get('teams/:teamId/gaps')
  @ApiOkResponse({ type: [GapView], description: 'The team’s worklist: open gaps unless a status is given.' })
  byTeam(@Param('teamId') teamId: string, @Query() query: TeamGapQueryDto): Promise<GapView[]> {
    return this.gaps.find({ teamId, status: query.status, openOnly: query.status === undefined });
  }
}

import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { NoTeamScope, Roles } from '@sc/security';
import { ID } from '../referrals/referral.dto';
import { NurseDto, NurseQueryDto } from './nurse.dto';
import { NurseService } from './nurse.service';
import { NurseView } from './nurse.views';

export class NurseParams {
  @Matches(ID, { message: 'id must be letters, digits, ., _ or -' })
  id!: string;
}

@ApiTags('nurses')
@Controller('v1/nurses')
export class NursesController {
  constructor(private readonly nurses: NurseService) {}

  @Put(':id')
  @Roles('supervisor', 'admin')
  @ApiOperation({ summary: 'Register or update a nurse (idempotent).' })
  @ApiParam({ name: 'id', example: 'rn-maria' })
  @ApiOkResponse({ type: NurseView })
  register(@Param() params: NurseParams, @Body() body: NurseDto): Promise<NurseView> {
    return this.nurses.register(params.id, body);
  }

  @Get()
  @Roles('team-lead', 'supervisor', 'admin')
  @NoTeamScope('the nurse directory (teams, skills, languages); no patient or work item')
  @ApiOkResponse({ type: [NurseView] })
  list(@Query() query: NurseQueryDto): Promise<NurseView[]> {
    return this.nurses.list(query.teamId ?? null);
  }

  @Get(':id')
  @Roles('nurse', 'team-lead', 'supervisor', 'admin')
  @NoTeamScope('one nurse’s directory entry; no patient or work item')
  @ApiParam({ name: 'id', example: 'rn-maria' })
  @ApiOkResponse({ type: NurseView })
  @ApiNotFoundResponse({ description: 'NURSE_NOT_FOUND' })
  get(@Param() params: NurseParams): Promise<NurseView> {
    return this.nurses.get(params.id);
  }
}

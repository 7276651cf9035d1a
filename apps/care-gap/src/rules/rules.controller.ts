import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuditPatient, CurrentPrincipal, NoTeamScope, Roles, type Principal } from '@sc/security';
import { DryRunDto, DryRunResultView, RuleChangeDto, RuleVersionView } from './rule.dto';
import { RuleService } from './rule.service';

@ApiTags('rules')
@Controller('v1/rules')
export class RulesController {
  constructor(private readonly rules: RuleService) {}

  @Get()
  @Roles('team-lead', 'supervisor', 'admin')
  @NoTeamScope('rule definitions; no patient or work item')
  @ApiOkResponse({ type: [RuleVersionView], description: 'The current version of every rule.' })
  list(): Promise<RuleVersionView[]> {
    return this.rules.list();
  }

  @Get(':ruleId/versions')
  @Roles('team-lead', 'supervisor', 'admin', 'compliance')
  @NoTeamScope('rule history; no patient or work item')
  @ApiOkResponse({ type: [RuleVersionView], description: 'Every version, newest first: who changed what, when and why.' })
  @ApiNotFoundResponse()
  versions(@Param('ruleId') ruleId: string): Promise<RuleVersionView[]> {
    return this.rules.versions(ruleId);
  }

  @Put(':ruleId')
  @Roles('supervisor', 'admin')
  @ApiOkResponse({ type: RuleVersionView, description: 'The new version. Creates the rule when version is 1 and none exists.' })
  @ApiBadRequestResponse({ description: 'The rule is invalid; the message lists every problem.' })
  @ApiConflictResponse({ description: 'version is not the stored version plus one.' })
  change(@Param('ruleId') ruleId: string, @Body() body: RuleChangeDto, @CurrentPrincipal() principal: Principal): Promise<RuleVersionView> {
    return this.rules.change(ruleId, body, principal.id);
  }

  @Post('dry-run')
  @HttpCode(200)
  // Lists every team's patients the rule would flag, so it is for the rule's authors only.
  @Roles('supervisor', 'admin')
  @AuditPatient((_request, result) => ((result as { patients?: Array<{ subject: string }> } | undefined)?.patients ?? []).map((patient) => patient.subject))
  @ApiOkResponse({ type: DryRunResultView, description: 'Which stored patients the rule would flag now; nothing is changed.' })
  @ApiNotFoundResponse()
  dryRun(@Body() body: DryRunDto): Promise<DryRunResultView> {
    return this.rules.dryRun(body);
  }
}

import { Body, Controller, Get, Param, Put, Query, UseFilters } from '@nestjs/common';
import { NoTeamScope, Roles, ScopeToSelf } from '@sc/security';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { NotifierHttpErrorFilter } from '../errors/notifier-http-error.filter';
import { PreferencesDto, RecipientParams, RecipientQueryDto, RecipientUpsertDto, WebhookEndpointDto } from './recipient.dto';
import { RecipientService } from './recipient.service';
import { PreferencesView, RecipientView, WebhookEndpointView } from './recipient.views';

const PEOPLE = ['pharmacist', 'nurse', 'team-lead', 'supervisor'] as const;

@ApiTags('recipients')
@Controller('v1/recipients')
@UseFilters(NotifierHttpErrorFilter)
export class RecipientsController {
  constructor(private readonly recipients: RecipientService) {}

  @Get()
  @Roles('team-lead', 'supervisor', 'admin')
  @NoTeamScope('the recipient directory (ids, roles, teams); no patient or work item')
  @ApiOkResponse({ type: [RecipientView], description: 'Recipients by id, optionally of one team or role.' })
  list(@Query() query: RecipientQueryDto): Promise<RecipientView[]> {
    return this.recipients.list(query);
  }

  @Put(':recipientId')
  @Roles('supervisor', 'admin')
  @ApiOkResponse({ type: RecipientView, description: 'Created or replaced (roles and teams).' })
  upsert(@Param() params: RecipientParams, @Body() body: RecipientUpsertDto): Promise<RecipientView> {
    return this.recipients.upsert(params.recipientId, body);
  }

  @Get(':recipientId')
  @Roles(...PEOPLE, 'admin')
  // People manage their own settings; supervisors and admins anyone's (they see every team).
  @ScopeToSelf('recipientId')
  @ApiOkResponse({ type: RecipientView })
  @ApiNotFoundResponse({ description: 'RECIPIENT_NOT_FOUND' })
  get(@Param() params: RecipientParams): Promise<RecipientView> {
    return this.recipients.get(params.recipientId);
  }

  @Get(':recipientId/preferences')
  @Roles(...PEOPLE, 'admin')
  // People manage their own settings; supervisors and admins anyone's (they see every team).
  @ScopeToSelf('recipientId')
  @ApiOkResponse({ type: PreferencesView, description: 'Channels, quiet hours, email and webhook state (defaults when never set).' })
  @ApiNotFoundResponse({ description: 'RECIPIENT_NOT_FOUND' })
  getPreferences(@Param() params: RecipientParams): Promise<PreferencesView> {
    return this.recipients.getPreferences(params.recipientId);
  }

  @Put(':recipientId/preferences')
  @Roles(...PEOPLE, 'admin')
  // People manage their own settings; supervisors and admins anyone's (they see every team).
  @ScopeToSelf('recipientId')
  @ApiOkResponse({ type: PreferencesView })
  @ApiNotFoundResponse({ description: 'RECIPIENT_NOT_FOUND' })
  @ApiUnprocessableEntityResponse({ description: 'EMAIL_ADDRESS_REQUIRED, EMAIL_CHANNEL_UNAVAILABLE or WEBHOOK_ENDPOINT_REQUIRED' })
  setPreferences(@Param() params: RecipientParams, @Body() body: PreferencesDto): Promise<PreferencesView> {
    return this.recipients.setPreferences(params.recipientId, body);
  }

  @Put(':recipientId/webhook')
  @Roles(...PEOPLE, 'admin')
  // People manage their own settings; supervisors and admins anyone's (they see every team).
  @ScopeToSelf('recipientId')
  @ApiOkResponse({ type: WebhookEndpointView, description: 'Registers or replaces the endpoint (its circuit starts closed).' })
  @ApiNotFoundResponse({ description: 'RECIPIENT_NOT_FOUND' })
  @ApiUnprocessableEntityResponse({ description: 'WEBHOOK_URL_NOT_ALLOWED' })
  setWebhook(@Param() params: RecipientParams, @Body() body: WebhookEndpointDto): Promise<WebhookEndpointView> {
    return this.recipients.setWebhook(params.recipientId, body);
  }
}

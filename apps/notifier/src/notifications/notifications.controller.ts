import { Controller, Get, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
import { CurrentPrincipal, NoTeamScope, Roles, ScopeByResource, type Principal } from '@sc/security';
import { NotificationOwners } from '../access/owners';
import { ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { NotifierHttpErrorFilter } from '../errors/notifier-http-error.filter';
import { NotificationParams } from './notification.dto';
import { NotificationView, ReceiptView, toReceiptView } from './notification.views';
import { NotificationQueryService } from './notification-query.service';
import { ReceiptService } from './receipt.service';

/** The people notifications are for; each reads and acknowledges as themselves. */
const PEOPLE = ['pharmacist', 'nurse', 'team-lead', 'supervisor'] as const;

@ApiTags('notifications')
@Controller('v1/notifications')
@UseFilters(NotifierHttpErrorFilter)
export class NotificationsController {
  constructor(
    private readonly queries: NotificationQueryService,
    private readonly receipts: ReceiptService,
  ) {}

  @Get(':notificationId')
  @Roles(...PEOPLE, 'admin')
  @ScopeByResource(NotificationOwners, 'notificationId')
  @ApiOkResponse({ type: NotificationView, description: 'The notification, its deliveries per channel and recipient, receipts and escalation.' })
  @ApiNotFoundResponse({ description: 'NOTIFICATION_NOT_FOUND' })
  detail(@Param() params: NotificationParams): Promise<NotificationView> {
    return this.queries.detail(params.notificationId);
  }

  @Post(':notificationId/read')
  @HttpCode(200)
  @Roles(...PEOPLE)
  @NoTeamScope('a receipt is written only by a recipient or a registered member of the recipient team (NOT_A_RECIPIENT)')
  @ApiOkResponse({ type: ReceiptView, description: 'Read receipt (idempotent: the first read time is kept).' })
  @ApiNotFoundResponse({ description: 'NOTIFICATION_NOT_FOUND' })
  @ApiForbiddenResponse({ description: 'NOT_A_RECIPIENT' })
  async read(@Param() params: NotificationParams, @CurrentPrincipal() principal: Principal): Promise<ReceiptView> {
    return toReceiptView(await this.receipts.read(params.notificationId, principal.id));
  }

  @Post(':notificationId/acknowledge')
  @HttpCode(200)
  @Roles(...PEOPLE)
  @NoTeamScope('a receipt is written only by a recipient or a registered member of the recipient team (NOT_A_RECIPIENT)')
  @ApiOkResponse({ type: ReceiptView, description: 'Acknowledged (idempotent); cancels a pending escalation.' })
  @ApiNotFoundResponse({ description: 'NOTIFICATION_NOT_FOUND' })
  @ApiForbiddenResponse({ description: 'NOT_A_RECIPIENT' })
  async acknowledge(@Param() params: NotificationParams, @CurrentPrincipal() principal: Principal): Promise<ReceiptView> {
    return toReceiptView(await this.receipts.acknowledge(params.notificationId, principal.id));
  }
}

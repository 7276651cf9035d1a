import { Controller, Get, HttpCode, Param, Post, Query, UseFilters } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '@sc/security';
import { NotifierHttpErrorFilter } from '../errors/notifier-http-error.filter';
import { DeliveryView, toDeliveryView } from '../notifications/notification.views';
import { DeliveryAdminService } from './delivery-admin.service';
import { DeliveryParams, DeliveryQueryDto } from './delivery.dto';

@ApiTags('deliveries')
@Controller('v1/deliveries')
@UseFilters(NotifierHttpErrorFilter)
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveryAdminService) {}

  @Get()
  @Roles('supervisor', 'admin')
  @ApiOkResponse({ type: [DeliveryView], description: 'Delivery records, newest first.' })
  async list(@Query() query: DeliveryQueryDto): Promise<DeliveryView[]> {
    return (await this.deliveries.list(query)).map(toDeliveryView);
  }

  @Post(':deliveryId/retry')
  @HttpCode(200)
  @Roles('supervisor', 'admin')
  @ApiOkResponse({ type: DeliveryView, description: 'The dead-lettered delivery is pending again.' })
  @ApiNotFoundResponse({ description: 'DELIVERY_NOT_FOUND' })
  @ApiConflictResponse({ description: 'DELIVERY_NOT_FAILED' })
  async retry(@Param() params: DeliveryParams): Promise<DeliveryView> {
    return toDeliveryView(await this.deliveries.redrive(params.deliveryId));
  }
}

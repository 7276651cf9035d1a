import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { CHANNELS, type Channel } from '../notifications/delivery-plan';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../notifications/delivery.repository';
import { ID_PATTERN, NOTIFICATION_ID_PATTERN } from '../notifications/recipient-key';

export class DeliveryParams {
  @ApiProperty({ example: '42' })
  @Matches(/^\d{1,18}$/, { message: 'deliveryId must be a delivery sequence number' })
  deliveryId!: string;
}

export class DeliveryQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(NOTIFICATION_ID_PATTERN)
  notificationId?: string;

  @ApiPropertyOptional({ example: 'nurse-kim', description: 'A user; use teamId for a team pool.' })
  @IsOptional()
  @Matches(ID_PATTERN)
  recipientId?: string;

  @ApiPropertyOptional({ example: 'team-cardio' })
  @IsOptional()
  @Matches(ID_PATTERN)
  teamId?: string;

  @ApiPropertyOptional({ enum: CHANNELS })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: Channel;

  @ApiPropertyOptional({ enum: DELIVERY_STATUSES, description: '`failed` lists the dead letters.' })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;

  @ApiPropertyOptional({ default: 100, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

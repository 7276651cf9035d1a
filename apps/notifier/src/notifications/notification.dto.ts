import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { NOTIFICATION_ID_PATTERN } from './recipient-key';

export class NotificationParams {
  @ApiProperty({ example: '7d1c1f0e-54a5-4c37-9e5c-0b1c3f0a9e21', description: 'The id the producer gave the request (or an escalation id).' })
  @Matches(NOTIFICATION_ID_PATTERN, { message: 'notificationId must be 1-128 letters, digits, dot, colon, dash or underscore' })
  notificationId!: string;
}

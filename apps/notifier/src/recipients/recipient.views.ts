import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CHANNELS } from '../notifications/delivery-plan';
import { ROLES } from './roles';

export class RecipientView {
  @ApiProperty() id!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) displayName!: string | null;
  @ApiProperty({ enum: ROLES, isArray: true }) roles!: string[];
  @ApiProperty({ type: [String] }) teams!: string[];
  @ApiProperty() active!: boolean;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class QuietHoursView {
  @ApiProperty({ example: '22:00' }) start!: string;
  @ApiProperty({ example: '07:00' }) end!: string;
  @ApiProperty({ example: 'America/Chicago' }) timeZone!: string;
}

export class WebhookEndpointView {
  @ApiProperty() url!: string;
  @ApiProperty({ enum: ['closed', 'open', 'half-open'], description: 'Circuit breaker state of this endpoint.' }) circuit!: string;
  @ApiProperty() consecutiveFailures!: number;
  @ApiPropertyOptional({ nullable: true, type: String }) openUntil!: string | null;
  @ApiProperty() updatedAt!: string;
}

export class PreferencesView {
  @ApiProperty() recipientId!: string;
  @ApiProperty({ enum: CHANNELS, isArray: true }) channels!: string[];
  @ApiPropertyOptional({ nullable: true, type: String }) email!: string | null;
  @ApiPropertyOptional({ nullable: true, type: QuietHoursView }) quietHours!: QuietHoursView | null;
  @ApiPropertyOptional({ nullable: true, type: WebhookEndpointView }) webhook!: WebhookEndpointView | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Null while the defaults (live feed only) apply.' }) updatedAt!: string | null;
}

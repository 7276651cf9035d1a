import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CHANNELS } from './delivery-plan';
import { DELIVERY_STATUSES, type DeliveryRecord } from './delivery.repository';
import type { ReceiptRecord } from './receipt.repository';

export class DeliveryView {
  @ApiProperty({ description: 'Delivery sequence number; on the live stream it is also the SSE event id.' }) id!: string;
  @ApiProperty() notificationId!: string;
  @ApiProperty({ enum: CHANNELS }) channel!: string;
  @ApiProperty({ example: 'user:pharm-ana', description: '`user:<id>` or `team:<id>`.' }) recipient!: string;
  @ApiProperty({ enum: DELIVERY_STATUSES, description: '`failed` is the dead-letter state after the last attempt.' }) status!: string;
  @ApiProperty() attempts!: number;
  @ApiPropertyOptional({ nullable: true, type: String, example: 'HTTP_503' }) lastError!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) deliveredAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) failedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'When the send queue tries next (webhook, email).' }) nextAttemptAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Held back by quiet hours until then.' }) deferredUntil!: string | null;
}

export class ReceiptView {
  @ApiProperty() notificationId!: string;
  @ApiProperty() recipientId!: string;
  @ApiProperty() readAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) acknowledgedAt!: string | null;
}

export class EscalationView {
  @ApiProperty() afterSeconds!: number;
  @ApiPropertyOptional({ nullable: true, type: String }) recipientId!: string | null;
  @ApiProperty() toTeamLead!: boolean;
  @ApiProperty({ enum: ['scheduled', 'fired', 'cancelled', 'failed'] }) status!: string;
  @ApiProperty() dueAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) escalationNotificationId!: string | null;
}

export class NotificationView {
  @ApiProperty() id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: ['routine', 'urgent'] }) urgency!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) dueAt!: string | null;
  @ApiProperty({ example: '/v1/tasks/7d1c1f0e-54a5-4c37-9e5c-0b1c3f0a9e21' }) link!: string;
  @ApiProperty() itemType!: string;
  @ApiProperty() itemId!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) recipientId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) teamId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Set on an escalation: the notification it escalates.' })
  escalationOf!: string | null;
  @ApiProperty({ description: 'Someone acknowledged this notification or its escalation.' }) acknowledged!: boolean;
  @ApiPropertyOptional({ nullable: true, type: EscalationView }) escalation!: EscalationView | null;
  @ApiProperty({ type: [DeliveryView] }) deliveries!: DeliveryView[];
  @ApiProperty({ type: [ReceiptView] }) receipts!: ReceiptView[];
  @ApiProperty() createdAt!: string;
}

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

export const toDeliveryView = (record: DeliveryRecord): DeliveryView => ({
  id: record.id,
  notificationId: record.notificationId,
  channel: record.channel,
  recipient: record.recipient,
  status: record.status,
  attempts: record.attempts,
  lastError: record.lastError,
  createdAt: record.createdAt.toISOString(),
  deliveredAt: iso(record.deliveredAt),
  failedAt: iso(record.failedAt),
  nextAttemptAt: iso(record.nextAttemptAt),
  deferredUntil: iso(record.deferredUntil),
});

export const toReceiptView = (record: ReceiptRecord): ReceiptView => ({
  notificationId: record.notificationId,
  recipientId: record.recipientId,
  readAt: record.readAt.toISOString(),
  acknowledgedAt: iso(record.acknowledgedAt),
});

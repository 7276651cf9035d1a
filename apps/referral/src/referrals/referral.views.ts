import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { REFERRAL_STATUSES, REFERRAL_TYPES, type ReferralAction, type ReferralSourceKind } from '@sc/contracts';
import type { HistoryRecord, Referral } from './referral.repository';

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

export class ReferralSourceView {
  @ApiProperty({ enum: ['care-gap', 'need-flag', 'discharge-rule'] }) kind!: ReferralSourceKind;
  @ApiProperty({ description: 'Gap id, need-flag id, or the episode of a discharge rule.' }) id!: string;
  @ApiProperty({ description: 'The event that created the referral.' }) eventId!: string;
}

export class ReferralItemView {
  @ApiProperty({ enum: ['HCPCS', 'ICD10', 'PROGRAM', 'TASK'] }) system!: string;
  @ApiProperty({ example: 'A4670' }) code!: string;
}

/** A referral as the API shows it; never the database row itself. */
export class ReferralView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: REFERRAL_TYPES }) type!: string;
  @ApiProperty({ enum: REFERRAL_STATUSES }) status!: string;
  @ApiProperty({ example: 'nursing.equipment', description: '`<teamId>.<skill>`' }) queueId!: string;
  @ApiProperty() teamId!: string;
  @ApiProperty({ example: 'equipment' }) skill!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Language the patient needs (ISO 639), null for English or unknown.' })
  language!: string | null;
  @ApiProperty({ enum: ['urgent', 'high', 'routine'] }) priority!: string;
  @ApiProperty() dueAt!: string;
  @ApiProperty({ description: 'Pseudonymous patient reference shared by every service.' }) subject!: string;
  @ApiProperty({ description: 'The encounter episode (enc:<facility>:<visit>).' }) correlationId!: string;
  @ApiProperty({ type: ReferralSourceView }) source!: ReferralSourceView;
  @ApiPropertyOptional({ nullable: true, type: ReferralItemView }) item!: ReferralItemView | null;
  @ApiPropertyOptional({ nullable: true, type: String }) claimedBy!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) claimedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The claim returns to the queue at this time unless renewed.' })
  leaseExpiresAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) scheduledFor!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) orderReference!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Reason code of the last step.' }) statusReason!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) escalatedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) breachedAt!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class HistoryEntryView {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'claim' }) action!: ReferralAction;
  @ApiPropertyOptional({ nullable: true, enum: REFERRAL_STATUSES }) fromStatus!: string | null;
  @ApiProperty({ enum: REFERRAL_STATUSES }) toStatus!: string;
  @ApiProperty({ description: 'Nurse id, integration id, or `system`.' }) actorId!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Who held the referral after the step.' }) claimedBy!: string | null;
  @ApiProperty({ example: 'patient-declined' }) reason!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) note!: string | null;
  @ApiProperty() occurredAt!: string;
}

export class ReferralDetailView extends ReferralView {
  @ApiProperty({ type: [HistoryEntryView] }) history!: HistoryEntryView[];
}

export function toReferralView(referral: Referral): ReferralView {
  return {
    id: referral.id,
    type: referral.type,
    status: referral.status,
    queueId: referral.queueId,
    teamId: referral.teamId,
    skill: referral.skill,
    language: referral.language,
    priority: referral.priority,
    dueAt: referral.dueAt.toISOString(),
    subject: referral.subject,
    correlationId: referral.correlationId,
    source: { kind: referral.sourceKind, id: referral.sourceId, eventId: referral.sourceEventId },
    item: referral.item,
    claimedBy: referral.claimedBy,
    claimedAt: iso(referral.claimedAt),
    leaseExpiresAt: iso(referral.leaseExpiresAt),
    scheduledFor: iso(referral.scheduledFor),
    orderReference: referral.orderReference,
    statusReason: referral.statusReason,
    escalatedAt: iso(referral.escalatedAt),
    breachedAt: iso(referral.breachedAt),
    createdAt: referral.createdAt.toISOString(),
    updatedAt: referral.updatedAt.toISOString(),
  };
}

export function toHistoryView(entry: HistoryRecord): HistoryEntryView {
  return {
    id: entry.id,
    action: entry.action,
    fromStatus: entry.fromStatus,
    toStatus: entry.toStatus,
    actorId: entry.actorId,
    claimedBy: entry.claimedBy,
    reason: entry.reason,
    note: entry.note,
    occurredAt: entry.occurredAt.toISOString(),
  };
}

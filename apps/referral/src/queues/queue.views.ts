import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { QueueStats } from '../referrals/referral.repository';

/** One queue (a team's referrals needing one skill) as a supervisor sees it. */
export class QueueStatsView {
  @ApiProperty({ example: 'nursing.equipment' }) queueId!: string;
  @ApiProperty() teamId!: string;
  @ApiProperty({ example: 'equipment' }) skill!: string;
  @ApiProperty({ description: 'Depth: referrals waiting for a nurse (new, or claimed with an expired lease).' }) waiting!: number;
  @ApiProperty({ description: 'Held by a nurse with a live lease, not yet started.' }) claimed!: number;
  @ApiProperty({ description: 'Being worked, with a live lease.' }) inProgress!: number;
  @ApiProperty({ description: 'Scheduled or ordered, waiting for the outcome.' }) arranged!: number;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Creation time of the oldest waiting referral.' }) oldestWaitingSince!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Age of the oldest waiting referral, in seconds.' }) oldestWaitingSeconds!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) averageWaitingSeconds!: number | null;
  @ApiProperty({ description: 'Not yet arranged and past the due time.' }) overdue!: number;
  @ApiProperty({ description: 'Open referrals whose SLA escalation fired.' }) escalatedOpen!: number;
  @ApiProperty({ description: 'Open referrals that breached their SLA.' }) breachedOpen!: number;
  @ApiProperty({ description: 'SLA breaches in the last 24 hours, open or not.' }) breachesLast24h!: number;
}

export function toQueueStatsView(stats: QueueStats, now: Date): QueueStatsView {
  return {
    ...stats,
    oldestWaitingSince: stats.oldestWaitingSince?.toISOString() ?? null,
    oldestWaitingSeconds: stats.oldestWaitingSince ? Math.max(0, Math.round((now.getTime() - stats.oldestWaitingSince.getTime()) / 1000)) : null,
  };
}

import { ApiProperty } from '@nestjs/swagger';
import { SKILLS } from '../referrals/queue-routing';
import type { Nurse } from './nurse.repository';

export class NurseView {
  @ApiProperty() id!: string;
  @ApiProperty() teamId!: string;
  @ApiProperty({ enum: ['nurse', 'supervisor'] }) role!: string;
  @ApiProperty({ enum: SKILLS, isArray: true }) skills!: string[];
  @ApiProperty({ type: [String] }) languages!: string[];
  @ApiProperty({ type: [String], description: 'Queues this nurse takes referrals from.' }) queueIds!: string[];
  @ApiProperty() active!: boolean;
  @ApiProperty() updatedAt!: string;
}

export function toNurseView(nurse: Nurse, queueIds: string[]): NurseView {
  return { ...nurse, queueIds, updatedAt: nurse.updatedAt.toISOString() };
}

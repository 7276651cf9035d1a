import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CLOCKS, type ClockEvidence, type ClockName, type ClockStatus } from './regulatory-clocks';

/** One regulatory clock of a discharge task: its deadline (exclusive) and what met it, when. */
export class ClockView {
  @ApiProperty({ enum: CLOCKS }) clock!: ClockName;
  @ApiProperty() dueAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) metAt!: string | null;
  @ApiPropertyOptional({ nullable: true, enum: ['completed', 'interactive-contact', 'contact-attempts', 'medication-reconciliation'] }) metBy!: ClockEvidence | null;
  @ApiProperty({ enum: ['running', 'met', 'met-late', 'missed'] }) status!: ClockStatus;
}

/** A task as the API shows it; never the database row itself. */
export class TaskView {
  @ApiProperty() id!: string;
  @ApiProperty() patientId!: string;
  @ApiProperty({ enum: ['discharge-call', 'chart-review', 'coordinate-with-facility', 'admission-alert'] }) kind!: string;
  @ApiProperty({ enum: ['open', 'acknowledged', 'completed', 'cancelled'] }) status!: string;
  @ApiProperty({ enum: ['routine', 'high', 'urgent'] }) priority!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) dischargedAt!: string | null;
  @ApiProperty() dueAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) assigneeId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) teamId!: string | null;
  @ApiProperty({ description: 'The encounter episode (sending facility + visit number).' }) correlationId!: string;
  @ApiProperty({ description: 'Pseudonymous patient reference shared by every service.' }) subject!: string;
  @ApiProperty({ enum: ['identifier', 'demographic', 'identity-review'] }) matchMethod!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) location!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) acknowledgedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) completedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) outcome!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) statusReason!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: [ClockView], description: 'Discharge tasks: the 24-hour follow-up, TCM and HEDIS clocks; empty for other kinds.' })
  clocks!: ClockView[];
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

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
}

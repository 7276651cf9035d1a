import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** A task as the API shows it; never the database row itself. */
export class TaskView {
  @ApiProperty() id!: string;
  @ApiProperty() patientId!: string;
  @ApiProperty({ enum: ['discharge-call', 'coordinate-with-facility', 'admission-alert'] }) kind!: string;
  @ApiProperty({ enum: ['open', 'acknowledged', 'completed', 'cancelled'] }) status!: string;
  @ApiProperty({ enum: ['routine', 'high', 'urgent'] }) priority!: string;
  @ApiProperty() dischargedAt!: string;
  @ApiProperty() dueAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) assigneeId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) teamId!: string | null;
  @ApiProperty() correlationId!: string;
  @ApiProperty() createdAt!: string;
}

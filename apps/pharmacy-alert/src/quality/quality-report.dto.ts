import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, Length, Matches } from 'class-validator';
import { MEASURES, MISS_REASONS, type Measure, type Miss, type MissReason, type QualityReport, type Share } from './quality-report';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class QualityReportQueryDto {
  @ApiProperty({ example: 'LGH', description: 'Sending facility (MSH-4); its time zone bounds the period.' })
  @Length(1, 64)
  facility!: string;

  @ApiProperty({ example: 'team-1' })
  @Length(1, 64)
  teamId!: string;

  @ApiProperty({ example: '2026-11-01', description: 'First discharge day counted, in the facility’s time zone.' })
  @Matches(DATE, { message: 'from must be a date written YYYY-MM-DD' })
  @IsISO8601({ strict: true })
  from!: string;

  @ApiProperty({ example: '2026-11-30', description: 'Last discharge day counted (inclusive).' })
  @Matches(DATE, { message: 'to must be a date written YYYY-MM-DD' })
  @IsISO8601({ strict: true })
  to!: string;
}

export class ShareView implements Share {
  @ApiProperty() count!: number;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'count / discharges received, 0 to 1.' }) share!: number | null;
}

export class MissView implements Miss {
  @ApiProperty() episodeKey!: string;
  @ApiProperty() patientId!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) taskId!: string | null;
  @ApiProperty() dischargedAt!: string;
  @ApiProperty({ enum: MEASURES, isArray: true }) missed!: Measure[];
  @ApiProperty({ enum: MISS_REASONS }) reason!: MissReason;
}

export class QualityReportView implements QualityReport {
  @ApiProperty() facility!: string;
  @ApiProperty() teamId!: string;
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ description: 'The facility’s time zone, in which the period’s days are counted.' }) timeZone!: string;
  @ApiProperty() dischargesReceived!: number;
  @ApiProperty({ description: 'Discharges whose patient was reached.' }) contacted!: number;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Nearest-rank median, minutes from clinical discharge to the first call that reached the patient.' })
  medianMinutesToFirstContact!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Nearest-rank 90th percentile of the same.' }) p90MinutesToFirstContact!: number | null;
  @ApiProperty({ type: ShareView }) contactedWithin24Hours!: ShareView;
  @ApiProperty({ type: ShareView, description: 'Reached before the TCM interactive-contact deadline.' }) contactedWithin2BusinessDays!: ShareView;
  @ApiProperty({ type: ShareView, description: 'Reconciliation documented by the end of discharge day + 30.' }) reconciledWithin30Days!: ShareView;
  @ApiProperty({ type: [MissView], description: 'Discharges that missed a measure whose window has closed, with the reason.' }) misses!: MissView[];
}

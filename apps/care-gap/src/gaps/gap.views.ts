import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { CareGapCoverage, CareGapExplanation, CareGapStatus } from '@sc/contracts';

export class GapItemView {
  @ApiProperty({ enum: ['HCPCS', 'PROGRAM', 'TASK'] }) system!: 'HCPCS' | 'PROGRAM' | 'TASK';
  @ApiProperty({ example: 'A4670' }) code!: string;
  @ApiProperty({ example: 'Automatic blood pressure monitor' }) display!: string;
}

export class QuantityLimitView {
  @ApiProperty() quantity!: number;
  @ApiProperty() periodDays!: number;
}

export class GapCoverageView implements CareGapCoverage {
  @ApiProperty({ enum: ['covered', 'not-covered', 'prior-authorization', 'unknown'] }) determination!: CareGapCoverage['determination'];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The plan benefit rule that decided it.' }) benefitRule!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) planId!: string | null;
  @ApiProperty() priorAuthorizationRequired!: boolean;
  @ApiPropertyOptional({ nullable: true, type: QuantityLimitView }) quantityLimit!: QuantityLimitView | null;
}

export class GapExplanationView implements CareGapExplanation {
  @ApiProperty() ruleId!: string;
  @ApiProperty() ruleVersion!: number;
  @ApiProperty({ type: [String], description: 'Condition codes that matched; sensitive codes only with recorded consent.' }) matchedCodes!: string[];
  @ApiProperty({ enum: ['suspected', 'confirmed'] }) evidence!: 'suspected' | 'confirmed';
  @ApiProperty({ description: 'What evaluated it: conditions, pharmacist-flag, medication-reconciliation-breach.' }) trigger!: string;
}

export class GapTransitionView {
  @ApiPropertyOptional({ nullable: true, type: String }) from!: string | null;
  @ApiProperty() to!: string;
  @ApiProperty() actorId!: string;
  @ApiProperty() reason!: string;
  @ApiProperty() at!: string;
}

/** A care gap as the API shows it; never the database row itself. */
export class GapView {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'Pseudonymous patient reference shared by every service.' }) subject!: string;
  @ApiProperty({ example: 'home-bp-monitor' }) gapType!: string;
  @ApiProperty({ enum: ['open', 'coverage-verified', 'ordered', 'delivered', 'closed', 'dismissed'] }) status!: CareGapStatus;
  @ApiProperty({ enum: ['low', 'moderate', 'high'] }) severity!: 'low' | 'moderate' | 'high';
  @ApiProperty({ type: GapItemView }) item!: GapItemView;
  @ApiProperty() recommendedAction!: string;
  @ApiProperty({ type: GapCoverageView }) coverage!: GapCoverageView;
  @ApiProperty({ type: GapExplanationView }) explanation!: GapExplanationView;
  @ApiPropertyOptional({ nullable: true, type: String }) teamId!: string | null;
  @ApiProperty() openedAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) closedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) closeReason!: string | null;
  @ApiPropertyOptional({ type: [GapTransitionView], description: 'Every state change with its actor and reason (single-gap reads only).' })
  history?: GapTransitionView[];
}

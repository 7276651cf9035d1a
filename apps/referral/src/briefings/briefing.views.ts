import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { BriefingState } from './briefing.service';

export class CodedMedicationView {
  @ApiProperty({ enum: ['RXNORM', 'NDC'] }) system!: 'RXNORM' | 'NDC';
  @ApiProperty({ example: '327361' }) code!: string;
}

export class DiscrepancyView {
  @ApiProperty({ type: CodedMedicationView }) medication!: CodedMedicationView;
  @ApiProperty({ enum: ['omission', 'duplication', 'dose-mismatch', 'interaction', 'other'] }) kind!: 'omission' | 'duplication' | 'dose-mismatch' | 'interaction' | 'other';
}

export class BriefingMedicationsView {
  @ApiProperty() reconciledAt!: string;
  @ApiProperty({ type: [CodedMedicationView] }) homeMedications!: CodedMedicationView[];
  @ApiProperty({ type: [CodedMedicationView] }) startedInHospital!: CodedMedicationView[];
  @ApiProperty({ type: [CodedMedicationView] }) stopped!: CodedMedicationView[];
  @ApiProperty({ type: [CodedMedicationView] }) changed!: CodedMedicationView[];
  @ApiProperty({ type: [DiscrepancyView] }) discrepancies!: DiscrepancyView[];
}

export class BriefingConditionView {
  @ApiProperty({ example: 'M06.9' }) code!: string;
  @ApiPropertyOptional({ nullable: true, type: String, example: 'I10' }) codingSystem!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) lastSeenAt!: string | null;
  @ApiProperty({ description: 'Episodes that coded it.' }) episodes!: number;
}

export class BriefingEncounterView {
  @ApiProperty() episodeId!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) facility!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) patientClass!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) admittedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) dischargedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'PV1-36 (HL7 table 0112).' }) disposition!: string | null;
  @ApiProperty() dischargeCancelled!: boolean;
}

export class BriefingFollowUpView {
  @ApiProperty() outcome!: string;
  @ApiProperty() completedAt!: string;
  @ApiProperty() withinWindow!: boolean;
}

export class BriefingReasonView {
  @ApiProperty({ example: 'ICD10' }) system!: string;
  @ApiProperty({ example: 'M06.9' }) code!: string;
}

export class BriefingPacketView {
  @ApiProperty() referralId!: string;
  @ApiProperty() assembledAt!: string;
  @ApiPropertyOptional({ nullable: true, type: BriefingReasonView, description: 'The symptom the pharmacist flagged for the specialist.' })
  reasonForBriefing!: BriefingReasonView | null;
  @ApiPropertyOptional({ nullable: true, type: BriefingMedicationsView, description: 'The latest pharmacist medication reconciliation.' })
  medications!: BriefingMedicationsView | null;
  @ApiProperty({ type: [BriefingConditionView], description: 'Conditions coded at recent discharges, latest first.' }) conditions!: BriefingConditionView[];
  @ApiProperty({ description: 'Diagnoses in categories shared only with consent (mental health, substance use, HIV, pregnancy loss), left out.' })
  withheldConditions!: number;
  @ApiProperty({ type: [BriefingEncounterView] }) recentEncounters!: BriefingEncounterView[];
  @ApiProperty({ type: [BriefingFollowUpView] }) pharmacistFollowUps!: BriefingFollowUpView[];
}

export class BriefingView {
  @ApiProperty() referralId!: string;
  @ApiProperty({ description: 'Pseudonymous patient reference shared by every service.' }) subject!: string;
  @ApiProperty({ enum: ['draft', 'sent', 'acknowledged'], description: 'draft: assembled now from what the service knows; sent: as the specialist received it.' })
  state!: 'draft' | 'sent' | 'acknowledged';
  @ApiProperty({ description: 'Status of the referral.' }) referralStatus!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) specialistId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) sentBy!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) sentAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) acknowledgedBy!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) acknowledgedAt!: string | null;
  @ApiProperty({ type: BriefingPacketView }) packet!: BriefingPacketView;
}

export function toBriefingView(state: BriefingState): BriefingView {
  const { briefing } = state;
  return {
    referralId: state.referral.id,
    subject: state.referral.subject,
    state: briefing === null ? 'draft' : briefing.acknowledgedAt === null ? 'sent' : 'acknowledged',
    referralStatus: state.referral.status,
    specialistId: briefing?.specialistId ?? null,
    sentBy: briefing?.sentBy ?? null,
    sentAt: briefing?.sentAt.toISOString() ?? null,
    acknowledgedBy: briefing?.acknowledgedBy ?? null,
    acknowledgedAt: briefing?.acknowledgedAt?.toISOString() ?? null,
    packet: state.packet,
  };
}

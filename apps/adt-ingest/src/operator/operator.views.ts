import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MESSAGE_WARNINGS } from '../quality/message-warnings';

/** A received message as the operator API lists it: ids and outcomes, no message text. */
export class MessageSummaryView {
  @ApiProperty() id!: string;
  @ApiProperty() sendingFacility!: string;
  @ApiProperty({ description: 'MSH-10.' }) controlId!: string;
  @ApiProperty({ example: 'A03' }) triggerEvent!: string;
  @ApiProperty() hl7Version!: string;
  @ApiProperty({ enum: ['P', 'T', 'D'] }) processingId!: string;
  @ApiProperty({ enum: ['accepted', 'not-production'] }) status!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'What the encounter state machine made of it.' }) stateOutcome!: string | null;
  @ApiProperty({ enum: MESSAGE_WARNINGS, isArray: true, description: 'Data-quality warnings: the message took effect, but the sender should look at it.' }) warnings!: string[];
  @ApiProperty({ enum: ['original', 'enhanced'] }) ackMode!: string;
  @ApiProperty({ description: 'Pseudonymous patient reference.' }) subject!: string;
  @ApiProperty({ description: 'The encounter episode.' }) correlationId!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The event published for it.' }) eventId!: string | null;
  @ApiProperty({ enum: ['mllp', 'http', 'replay'] }) channel!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) clinicalTime!: string | null;
  @ApiProperty() receivedAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The reject this message replayed.' }) replayOf!: string | null;
  @ApiProperty({ description: 'False once the retention period removed the raw text.' }) rawAvailable!: boolean;
}

export class MessageDetailView extends MessageSummaryView {
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The message as received, SSNs masked.' }) rawMasked!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The acknowledgment sent (original mode) or the commit acknowledgment (enhanced mode).' })
  ack!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Enhanced mode: the application acknowledgment sent after the commit acknowledgment.' })
  applicationAck!: string | null;
}

export class MessagePageView {
  @ApiProperty({ type: [MessageSummaryView] }) items!: MessageSummaryView[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export class RejectSummaryView {
  @ApiProperty() id!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) sendingFacility!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) controlId!: string | null;
  @ApiProperty({ description: 'HL7 table 0357 code.' }) errorCode!: number;
  @ApiPropertyOptional({ nullable: true, type: String }) errorSegment!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) errorField!: number | null;
  @ApiProperty() diagnostic!: string;
  @ApiProperty({ enum: ['open', 'replayed'] }) status!: string;
  @ApiProperty({ enum: ['mllp', 'http', 'replay'] }) channel!: string;
  @ApiProperty({ enum: ['original', 'enhanced'] }) ackMode!: string;
  @ApiProperty() receivedAt!: string;
  @ApiProperty() replayAttempts!: number;
  @ApiPropertyOptional({ nullable: true, type: String }) replayedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The message the successful replay stored.' }) replayedMessageId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The reject whose replay was refused again as this one.' }) replayOf!: string | null;
  @ApiProperty() rawAvailable!: boolean;
}

export class RejectDetailView extends RejectSummaryView {
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The message as received, SSNs masked.' }) rawMasked!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The negative acknowledgment sent.' }) nak!: string | null;
}

export class RejectPageView {
  @ApiProperty({ type: [RejectSummaryView] }) items!: RejectSummaryView[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ReplayView {
  @ApiProperty({ enum: ['accepted', 'resend', 'not-production', 'rejected', 'control-id-conflict', 'storage-unavailable', 'not-storable'] })
  disposition!: string;
  @ApiProperty({ type: [String], description: 'The acknowledgments the message got, in order.' }) acks!: string[];
  @ApiPropertyOptional({ nullable: true, type: String }) messageId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The new reject, when the replay was refused again.' }) rejectId!: string | null;
  @ApiProperty({ enum: ['open', 'replayed'], description: 'The replayed reject, after this replay.' }) rejectStatus!: string;
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IngestError, IngestErrorCode } from '../errors/ingest-error';
import type { MessageDetailView, MessageSummaryView, RejectDetailView, RejectSummaryView } from './operator.views';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface Window {
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export interface MessageCriteria extends Window {
  controlId?: string;
  facility?: string;
  /** Keyed hash of the identifier searched for. */
  identifierHash?: string;
  subject?: string;
  status?: string;
  stateOutcome?: string;
  warning?: string;
}

export interface RejectCriteria extends Window {
  controlId?: string;
  facility?: string;
  status?: string;
  errorCode?: number;
}

interface MessageRow {
  id: string;
  sending_facility: string;
  control_id: string;
  trigger_event: string;
  hl7_version: string;
  processing_id: string;
  status: string;
  state_outcome: string | null;
  warnings: string[];
  ack_mode: string;
  subject: string;
  correlation_id: string;
  event_id: string | null;
  channel: string;
  clinical_time: Date | null;
  received_at: Date;
  replay_of: string | null;
  raw_available: boolean;
  raw_masked?: string | null;
  ack_text?: string | null;
  application_ack_text?: string | null;
}

interface RejectRow {
  id: string;
  sending_facility: string | null;
  control_id: string | null;
  error_code: number;
  error_segment: string | null;
  error_field: number | null;
  diagnostic: string;
  status: string;
  channel: string;
  ack_mode: string;
  received_at: Date;
  replay_attempts: number;
  replayed_at: Date | null;
  replayed_message_id: string | null;
  replay_of: string | null;
  raw_available: boolean;
  raw_masked?: string | null;
  nak_text?: string | null;
}

const MESSAGE_COLUMNS = `id, sending_facility, control_id, trigger_event, hl7_version, processing_id, status, state_outcome, ack_mode,
  subject, correlation_id, event_id, channel, clinical_time, received_at, replay_of, raw_masked IS NOT NULL AS raw_available,
  ARRAY(SELECT warning FROM message_warnings w WHERE w.message_id = received_messages.id ORDER BY warning) AS warnings`;
const REJECT_COLUMNS = `id, sending_facility, control_id, error_code, error_segment, error_field, diagnostic, status, channel, ack_mode,
  received_at, replay_attempts, replayed_at, replayed_message_id, replay_of, raw_masked IS NOT NULL AS raw_available`;
const DEFAULT_LIMIT = 50;

const iso = (value: Date | null): string | null => (value === null ? null : value.toISOString());

/** Cursors are opaque to callers: the last row's received time and id. */
function encodeCursor(receivedAt: Date, id: string): string {
  return Buffer.from(`${receivedAt.toISOString()}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { receivedAt: string; id: string } {
  const [receivedAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!receivedAt || !id || Number.isNaN(Date.parse(receivedAt)) || !/^[0-9a-f-]{36}$/.test(id)) {
    throw new IngestError(IngestErrorCode.InvalidCursor, 'the cursor is not one this API issued');
  }
  return { receivedAt, id };
}

/** Builds `WHERE` clauses with numbered parameters. */
class Conditions {
  readonly clauses: string[] = [];
  readonly params: unknown[] = [];

  add(sql: (placeholder: string) => string, value: unknown): void {
    if (value === undefined) {
      return;
    }
    this.params.push(value);
    this.clauses.push(sql(`$${this.params.length}`));
  }

  window(window: Window): void {
    this.add((p) => `received_at >= ${p}`, window.from);
    this.add((p) => `received_at < ${p}`, window.to);
    if (window.cursor !== undefined) {
      const { receivedAt, id } = decodeCursor(window.cursor);
      this.params.push(receivedAt, id);
      this.clauses.push(`(received_at, id) < ($${this.params.length - 1}::timestamptz, $${this.params.length}::uuid)`);
    }
  }

  get where(): string {
    return this.clauses.length === 0 ? '' : `WHERE ${this.clauses.join(' AND ')}`;
  }
}

/** The operator API's reads of received messages and rejects. */
@Injectable()
export class OperatorRepository {
  constructor(private readonly dataSource: DataSource) {}

  async searchMessages(criteria: MessageCriteria): Promise<Page<MessageSummaryView>> {
    const conditions = new Conditions();
    conditions.add((p) => `control_id = ${p}`, criteria.controlId);
    conditions.add((p) => `sending_facility = ${p}`, criteria.facility);
    conditions.add((p) => `identifier_hashes @> ARRAY[${p}]::text[]`, criteria.identifierHash);
    conditions.add((p) => `subject = ${p}`, criteria.subject);
    conditions.add((p) => `status = ${p}`, criteria.status);
    conditions.add((p) => `state_outcome = ${p}`, criteria.stateOutcome);
    conditions.add((p) => `id IN (SELECT message_id FROM message_warnings WHERE warning = ${p})`, criteria.warning);
    conditions.window(criteria);
    const limit = criteria.limit ?? DEFAULT_LIMIT;
    const rows: MessageRow[] = await this.dataSource.query(
      `SELECT ${MESSAGE_COLUMNS} FROM received_messages ${conditions.where} ORDER BY received_at DESC, id DESC LIMIT ${limit + 1}`,
      conditions.params,
    );
    return this.page(rows, limit, toMessageSummary);
  }

  async findMessage(id: string): Promise<MessageDetailView | undefined> {
    const [row]: MessageRow[] = await this.dataSource.query(
      `SELECT ${MESSAGE_COLUMNS}, raw_masked, ack_text, application_ack_text FROM received_messages WHERE id = $1`,
      [id],
    );
    return row && { ...toMessageSummary(row), rawMasked: row.raw_masked ?? null, ack: row.ack_text ?? null, applicationAck: row.application_ack_text ?? null };
  }

  async searchRejects(criteria: RejectCriteria): Promise<Page<RejectSummaryView>> {
    const conditions = new Conditions();
    conditions.add((p) => `control_id = ${p}`, criteria.controlId);
    conditions.add((p) => `sending_facility = ${p}`, criteria.facility);
    conditions.add((p) => `status = ${p}`, criteria.status);
    conditions.add((p) => `error_code = ${p}`, criteria.errorCode);
    conditions.window(criteria);
    const limit = criteria.limit ?? DEFAULT_LIMIT;
    const rows: RejectRow[] = await this.dataSource.query(
      `SELECT ${REJECT_COLUMNS} FROM rejects ${conditions.where} ORDER BY received_at DESC, id DESC LIMIT ${limit + 1}`,
      conditions.params,
    );
    return this.page(rows, limit, toRejectSummary);
  }

  async findReject(id: string): Promise<RejectDetailView | undefined> {
    const [row]: RejectRow[] = await this.dataSource.query(`SELECT ${REJECT_COLUMNS}, raw_masked, nak_text FROM rejects WHERE id = $1`, [id]);
    return row && { ...toRejectSummary(row), rawMasked: row.raw_masked ?? null, nak: row.nak_text ?? null };
  }

  private page<R extends { received_at: Date; id: string }, V>(rows: R[], limit: number, view: (row: R) => V): Page<V> {
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items: items.map(view), nextCursor: rows.length > limit && last ? encodeCursor(last.received_at, last.id) : null };
  }
}

function toMessageSummary(row: MessageRow): MessageSummaryView {
  return {
    id: row.id,
    sendingFacility: row.sending_facility,
    controlId: row.control_id,
    triggerEvent: row.trigger_event,
    hl7Version: row.hl7_version,
    processingId: row.processing_id,
    status: row.status,
    stateOutcome: row.state_outcome,
    warnings: row.warnings,
    ackMode: row.ack_mode,
    subject: row.subject,
    correlationId: row.correlation_id,
    eventId: row.event_id,
    channel: row.channel,
    clinicalTime: iso(row.clinical_time),
    receivedAt: row.received_at.toISOString(),
    replayOf: row.replay_of,
    rawAvailable: row.raw_available,
  };
}

function toRejectSummary(row: RejectRow): RejectSummaryView {
  return {
    id: row.id,
    sendingFacility: row.sending_facility,
    controlId: row.control_id,
    errorCode: row.error_code,
    errorSegment: row.error_segment,
    errorField: row.error_field,
    diagnostic: row.diagnostic,
    status: row.status,
    channel: row.channel,
    ackMode: row.ack_mode,
    receivedAt: row.received_at.toISOString(),
    replayAttempts: row.replay_attempts,
    replayedAt: iso(row.replayed_at),
    replayedMessageId: row.replayed_message_id,
    replayOf: row.replay_of,
    rawAvailable: row.raw_available,
  };
}

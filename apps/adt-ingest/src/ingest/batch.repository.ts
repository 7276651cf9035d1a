import { Injectable } from '@nestjs/common';
import type { EventEnvelope } from '@sc/contracts';
import { Outbox, outboxAppendCtes } from '@sc/messaging';
import { encounterKeyOf, type StoredEncounter } from '../encounters/encounter.repository';
import type { EncounterState } from '../encounters/encounter-state-machine';
import type { BatchTransaction } from './batch-connections';
import type { MessageWarningRow } from '../quality/message-warnings';
import { columnNames, recordset, type Columns } from './recordset';
import { REJECT_COLUMNS, rejectRecord, type RejectRow } from './reject.repository';

export type ReceivedStatus = 'accepted' | 'not-production';

/** One received_messages row as ingest writes it (raw text already masked); its keys are the table's columns. */
export interface ReceivedMessageRow {
  readonly id: string;
  readonly sending_facility: string;
  readonly control_id: string;
  readonly trigger_event: string;
  readonly hl7_version: string;
  readonly processing_id: string;
  readonly content_hash: string;
  readonly raw_masked: string;
  readonly status: ReceivedStatus;
  readonly ack_text: string | null;
  readonly application_ack_text: string | null;
  readonly ack_mode: 'original' | 'enhanced';
  readonly subject: string;
  readonly correlation_id: string;
  readonly event_id: string | null;
  readonly channel: string;
  readonly state_outcome: string | null;
  readonly clinical_time: string;
  readonly identifier_hashes: readonly string[];
  readonly replay_of: string | null;
}

const RECEIVED_COLUMNS: Columns<ReceivedMessageRow> = {
  id: 'uuid',
  sending_facility: 'text',
  control_id: 'text',
  trigger_event: 'text',
  hl7_version: 'text',
  processing_id: 'text',
  content_hash: 'text',
  raw_masked: 'text',
  status: 'text',
  ack_text: 'text',
  application_ack_text: 'text',
  ack_mode: 'text',
  subject: 'text',
  correlation_id: 'text',
  event_id: 'uuid',
  channel: 'text',
  state_outcome: 'text',
  clinical_time: 'timestamptz',
  identifier_hashes: 'text[]',
  replay_of: 'uuid',
};

/** A message already stored under a key: what a resend is answered from. */
export interface StoredReceipt {
  readonly id: string;
  readonly sendingFacility: string;
  readonly controlId: string;
  readonly contentHash: string;
  readonly ackText: string | null;
  readonly applicationAckText: string | null;
}

/** One message of a batch as the first statement needs it: sending facility, control id, visit number, subject, trigger. */
export interface BatchKey {
  readonly f: string;
  readonly c: string;
  /** The encounter to lock; null when the message moves none (no visit, A40, not production). */
  readonly v: string | null;
  /** Written only when the encounter is new. */
  readonly s: string;
  readonly t: string;
}

/** What the batch starts from: earlier receipts of its keys, its encounters (locked), and merges of its patients. */
export interface BatchSnapshot {
  readonly receipts: ReadonlyMap<string, StoredReceipt>;
  readonly encounters: ReadonlyMap<string, StoredEncounter>;
  /** Subject merged away -> surviving subject. */
  readonly survivors: ReadonlyMap<string, string>;
}

/** Everything one batch writes, gathered before any write so the batch writes in one statement. */
export interface BatchWrites {
  readonly received: ReceivedMessageRow[];
  readonly events: EventEnvelope[];
  readonly encounters: Map<string, StoredEncounter>;
  readonly rejects: RejectRow[];
  readonly replays: Array<{ reject_id: string; message_id: string }>;
  /** Data-quality warnings of the batch's accepted messages (see quality/message-warnings). */
  readonly warnings: MessageWarningRow[];
}

export const messageKeyOf = (sendingFacility: string, controlId: string): string => `${sendingFacility}\u0000${controlId}`;

type Timestamp = string | null;

/** An encounters row as the batch reads and writes it; its keys are the table's columns. */
interface EncounterRow {
  sending_facility: string;
  visit_number: string;
  subject: string;
  state: EncounterState;
  last_trigger: string;
  state_at: Timestamp;
  state_before_discharge: EncounterState | null;
  admitted_at: Timestamp;
  discharged_at: Timestamp;
  transferred_at: Timestamp;
  admission_event_id: string | null;
  discharge_event_id: string | null;
  transfer_event_id: string | null;
  info_updated_at: Timestamp;
  held_admission_cancel_at: Timestamp;
  held_transfer_cancel_at: Timestamp;
  held_discharge_cancel_at: Timestamp;
}

const ENCOUNTER_COLUMNS: Columns<EncounterRow> = {
  sending_facility: 'text',
  visit_number: 'text',
  subject: 'text',
  state: 'text',
  last_trigger: 'text',
  state_at: 'timestamptz',
  state_before_discharge: 'text',
  admitted_at: 'timestamptz',
  discharged_at: 'timestamptz',
  transferred_at: 'timestamptz',
  admission_event_id: 'uuid',
  discharge_event_id: 'uuid',
  transfer_event_id: 'uuid',
  info_updated_at: 'timestamptz',
  held_admission_cancel_at: 'timestamptz',
  held_transfer_cancel_at: 'timestamptz',
  held_discharge_cancel_at: 'timestamptz',
};

type SnapshotRow =
  | { kind: 'receipt'; row: { id: string; sending_facility: string; control_id: string; content_hash: string; ack_text: string | null; application_ack_text: string | null } }
  | { kind: 'encounter'; row: EncounterRow }
  | { kind: 'merge'; row: { prior_subject: string; surviving_subject: string } };

const iso = (value: Timestamp): string | null => (value === null ? null : new Date(value).toISOString());

function encounterFromRow(row: EncounterRow): StoredEncounter {
  return {
    sendingFacility: row.sending_facility,
    visitNumber: row.visit_number,
    subject: row.subject,
    lastTrigger: row.last_trigger,
    record: {
      state: row.state,
      stateAt: iso(row.state_at),
      stateBeforeDischarge: row.state_before_discharge,
      admittedAt: iso(row.admitted_at),
      dischargedAt: iso(row.discharged_at),
      transferredAt: iso(row.transferred_at),
      admissionEventId: row.admission_event_id,
      dischargeEventId: row.discharge_event_id,
      transferEventId: row.transfer_event_id,
      updatedAt: iso(row.info_updated_at),
      held: { admission: iso(row.held_admission_cancel_at), transfer: iso(row.held_transfer_cancel_at), discharge: iso(row.held_discharge_cancel_at) },
    },
  };
}

function encounterRow({ sendingFacility, visitNumber, subject, lastTrigger, record }: StoredEncounter): EncounterRow {
  return {
    sending_facility: sendingFacility,
    visit_number: visitNumber,
    subject,
    state: record.state,
    last_trigger: lastTrigger,
    state_at: record.stateAt,
    state_before_discharge: record.stateBeforeDischarge,
    admitted_at: record.admittedAt,
    discharged_at: record.dischargedAt,
    transferred_at: record.transferredAt,
    admission_event_id: record.admissionEventId,
    discharge_event_id: record.dischargeEventId,
    transfer_event_id: record.transferEventId,
    info_updated_at: record.updatedAt,
    held_admission_cancel_at: record.held.admission,
    held_transfer_cancel_at: record.held.transfer,
    held_discharge_cancel_at: record.held.discharge,
  };
}

const READ_AND_LOCK = `WITH incoming AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(f text, c text, v text, s text, t text)
  ), receipts AS (
    SELECT r.id, r.sending_facility, r.control_id, r.content_hash, r.ack_text, r.application_ack_text
    FROM received_messages r JOIN incoming i ON r.sending_facility = i.f AND r.control_id = i.c
  ), locked AS (
    INSERT INTO encounters (sending_facility, visit_number, subject, state, last_trigger)
    SELECT DISTINCT ON (i.f, i.v) i.f, i.v, i.s, 'unknown', i.t FROM incoming i
    WHERE i.v IS NOT NULL AND NOT EXISTS (SELECT 1 FROM receipts r WHERE r.sending_facility = i.f AND r.control_id = i.c)
    ORDER BY i.f, i.v
    ON CONFLICT (sending_facility, visit_number) DO UPDATE SET sending_facility = encounters.sending_facility
    RETURNING ${Object.keys(ENCOUNTER_COLUMNS)
      .map((column) => `encounters.${column}`)
      .join(', ')}
  ), merges AS (
    SELECT prior_subject, surviving_subject FROM patient_merges WHERE prior_subject IN (SELECT s FROM incoming)
  )
  SELECT 'receipt' AS kind, row_to_json(receipts)::text AS row FROM receipts
  UNION ALL SELECT 'encounter', row_to_json(locked)::text FROM locked
  UNION ALL SELECT 'merge', row_to_json(merges)::text FROM merges`;

/**
 * The batch's rows as one jsonb parameter ($1: received, encounters, rejects, replays, warnings) and its
 * events as the outbox's ($2...). A message stored by another transaction since the batch read
 * its key makes the insert fail (unique violation), so the COMMIT sent behind it rolls back.
 */
const WRITE_BATCH = `WITH inserted AS (
    INSERT INTO received_messages (${columnNames(RECEIVED_COLUMNS)})
    SELECT ${columnNames(RECEIVED_COLUMNS)} FROM ${recordset(`$1::jsonb -> 'received'`, 'r', RECEIVED_COLUMNS)}
  ), saved AS (
    UPDATE encounters e SET ${Object.keys(ENCOUNTER_COLUMNS)
      .map((column) => `${column} = u.${column}`)
      .join(', ')}, updated_at = now()
    FROM ${recordset(`$1::jsonb -> 'encounters'`, 'u', ENCOUNTER_COLUMNS)}
    WHERE e.sending_facility = u.sending_facility AND e.visit_number = u.visit_number
  ), rejected AS (
    INSERT INTO rejects (${columnNames(REJECT_COLUMNS)})
    SELECT ${columnNames(REJECT_COLUMNS)} FROM ${recordset(`$1::jsonb -> 'rejects'`, 'j', REJECT_COLUMNS)}
  ), replayed AS (
    UPDATE rejects SET status = 'replayed', replayed_at = now(), replayed_message_id = p.message_id, replay_attempts = replay_attempts + 1
    FROM jsonb_to_recordset($1::jsonb -> 'replays') AS p(reject_id uuid, message_id uuid)
    WHERE rejects.id = p.reject_id
  ), warned AS (
    INSERT INTO message_warnings (message_id, warning)
    SELECT message_id, warning FROM jsonb_to_recordset($1::jsonb -> 'warnings') AS w(message_id uuid, warning text)
  ), ${outboxAppendCtes(2)}
  SELECT 1`;

/** The unique key a concurrently stored message violates. */
export const RECEIVED_KEY_CONSTRAINT = 'received_messages_sending_facility_control_id_key';

/**
 * The two statements of a group-commit transaction, named, so each connection parses and plans
 * them once (see BatchConnections). A batch reads everything it needs in one statement, sent with
 * BEGIN, and writes its messages, encounters, rejects and outbox events in another, sent with
 * COMMIT.
 */
@Injectable()
export class BatchRepository {
  constructor(private readonly outbox: Outbox) {}

  /**
   * Finds earlier receipts of the batch's keys, locks the encounters of its new messages
   * (creating missing ones as `unknown`, so two transactions on one new encounter queue up; in
   * key order, so they do not deadlock) and reads the merges of its patients.
   */
  async readAndLock(transaction: BatchTransaction, keys: readonly BatchKey[]): Promise<BatchSnapshot> {
    const rows = await transaction.query<{ kind: SnapshotRow['kind']; row: string }>({
      name: 'adt-ingest:read-and-lock',
      text: READ_AND_LOCK,
      values: [JSON.stringify(keys)],
    });
    const receipts = new Map<string, StoredReceipt>();
    const encounters = new Map<string, StoredEncounter>();
    const survivors = new Map<string, string>();
    for (const { kind, row } of rows) {
      const parsed = { kind, row: JSON.parse(row) as unknown } as SnapshotRow;
      switch (parsed.kind) {
        case 'receipt':
          receipts.set(messageKeyOf(parsed.row.sending_facility, parsed.row.control_id), {
            id: parsed.row.id,
            sendingFacility: parsed.row.sending_facility,
            controlId: parsed.row.control_id,
            contentHash: parsed.row.content_hash,
            ackText: parsed.row.ack_text,
            applicationAckText: parsed.row.application_ack_text,
          });
          break;
        case 'encounter':
          encounters.set(encounterKeyOf(parsed.row.sending_facility, parsed.row.visit_number), encounterFromRow(parsed.row));
          break;
        case 'merge':
          survivors.set(parsed.row.prior_subject, parsed.row.surviving_subject);
          break;
      }
    }
    return { receipts, encounters, survivors };
  }

  /** Inserts the received messages, their warnings and the rejects, saves the encounters, settles replayed rejects, appends the events to the outbox, and commits. */
  async writeAndCommit(transaction: BatchTransaction, writes: BatchWrites): Promise<void> {
    const rows = {
      received: writes.received,
      encounters: [...writes.encounters.values()].map(encounterRow),
      rejects: writes.rejects.map(rejectRecord),
      replays: writes.replays,
      warnings: writes.warnings.map(({ messageId, warning }) => ({ message_id: messageId, warning })),
    };
    await transaction.commitWith({ name: 'adt-ingest:write-batch', text: WRITE_BATCH, values: [JSON.stringify(rows), ...this.outbox.insertValues(writes.events)] });
  }
}

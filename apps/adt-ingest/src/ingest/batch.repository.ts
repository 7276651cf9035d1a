import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EventEnvelope } from '@sc/contracts';
import { Outbox, outboxAppendCtes } from '@sc/messaging';
import { encounterKeyOf, type StoredEncounter } from '../encounters/encounter.repository';
import type { EncounterState } from '../encounters/encounter-state-machine';

export type ReceivedStatus = 'accepted' | 'not-production';

/** One received_messages row as ingest writes it (raw text already masked). */
export interface ReceivedMessageRow {
  readonly id: string;
  readonly sendingFacility: string;
  readonly controlId: string;
  readonly triggerEvent: string;
  readonly hl7Version: string;
  readonly processingId: string;
  readonly contentHash: string;
  readonly rawMasked: string;
  readonly status: ReceivedStatus;
  readonly ackText: string | null;
  readonly applicationAckText: string | null;
  readonly ackMode: 'original' | 'enhanced';
  readonly subject: string;
  readonly correlationId: string;
  readonly eventId: string | null;
  readonly channel: string;
  readonly stateOutcome: string | null;
  readonly clinicalTime: string;
  readonly identifierHashes: readonly string[];
  readonly replayOf: string | null;
}

/** A message already stored under a key: what a resend is answered from. */
export interface StoredReceipt {
  readonly id: string;
  readonly sendingFacility: string;
  readonly controlId: string;
  readonly contentHash: string;
  readonly ackText: string | null;
  readonly applicationAckText: string | null;
}

/** One message of a batch as the first statement needs it. */
export interface BatchKey {
  readonly sendingFacility: string;
  readonly controlId: string;
  /** The encounter to lock; null when the message moves none (no visit, A40, not production). */
  readonly visitNumber: string | null;
  /** Written only when the encounter is new. */
  readonly subject: string;
  readonly trigger: string;
}

/** What the batch starts from: earlier receipts of its keys, its encounters (locked), and merges of its patients. */
export interface BatchSnapshot {
  readonly receipts: ReadonlyMap<string, StoredReceipt>;
  readonly encounters: ReadonlyMap<string, StoredEncounter>;
  /** Subject merged away -> surviving subject. */
  readonly survivors: ReadonlyMap<string, string>;
}

export const messageKeyOf = (sendingFacility: string, controlId: string): string => `${sendingFacility}\u0000${controlId}`;

type Timestamp = string | null;

interface EncounterJson {
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

type SnapshotRow =
  | { kind: 'receipt'; row: { id: string; sending_facility: string; control_id: string; content_hash: string; ack_text: string | null; application_ack_text: string | null } }
  | { kind: 'encounter'; row: EncounterJson }
  | { kind: 'merge'; row: { prior_subject: string; surviving_subject: string } };

const iso = (value: Timestamp): string | null => (value === null ? null : new Date(value).toISOString());

function encounterFromJson(row: EncounterJson): StoredEncounter {
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

const READ_AND_LOCK = `WITH incoming AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS i(f, c, v, s, t)
  ), receipts AS (
    SELECT r.id, r.sending_facility, r.control_id, r.content_hash, r.ack_text, r.application_ack_text
    FROM received_messages r JOIN incoming i ON r.sending_facility = i.f AND r.control_id = i.c
  ), locked AS (
    INSERT INTO encounters (sending_facility, visit_number, subject, state, last_trigger)
    SELECT DISTINCT ON (i.f, i.v) i.f, i.v, i.s, 'unknown', i.t FROM incoming i
    WHERE i.v IS NOT NULL AND NOT EXISTS (SELECT 1 FROM receipts r WHERE r.sending_facility = i.f AND r.control_id = i.c)
    ORDER BY i.f, i.v
    ON CONFLICT (sending_facility, visit_number) DO UPDATE SET sending_facility = encounters.sending_facility
    RETURNING encounters.*
  ), merges AS (
    SELECT prior_subject, surviving_subject FROM patient_merges WHERE prior_subject IN (SELECT s FROM incoming)
  )
  SELECT 'receipt' AS kind, row_to_json(receipts)::text AS row FROM receipts
  UNION ALL SELECT 'encounter', row_to_json(locked)::text FROM locked
  UNION ALL SELECT 'merge', row_to_json(merges)::text FROM merges`;

const WRITE_BATCH = `WITH inserted AS (
    INSERT INTO received_messages (id, sending_facility, control_id, trigger_event, hl7_version, processing_id, content_hash,
      raw_masked, status, ack_text, application_ack_text, ack_mode, subject, correlation_id, event_id, channel, state_outcome,
      clinical_time, identifier_hashes, replay_of)
    SELECT id, f, c, t, v, p, h, raw, status, ack, app_ack, mode, subject, corr, event_id, channel, outcome, clinical,
      string_to_array(ids, ','), replay_of
    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::uuid[], $16::text[], $17::text[],
                $18::timestamptz[], $19::text[], $20::uuid[])
      AS u(id, f, c, t, v, p, h, raw, status, ack, app_ack, mode, subject, corr, event_id, channel, outcome, clinical, ids, replay_of)
    ON CONFLICT (sending_facility, control_id) DO NOTHING
    RETURNING 1
  ), saved AS (
    UPDATE encounters e SET
      subject = u.subject, state = u.state, last_trigger = u.last_trigger, state_at = u.state_at,
      state_before_discharge = u.state_before_discharge, admitted_at = u.admitted_at, discharged_at = u.discharged_at,
      transferred_at = u.transferred_at, admission_event_id = u.admission_event_id, discharge_event_id = u.discharge_event_id,
      transfer_event_id = u.transfer_event_id, info_updated_at = u.info_updated_at,
      held_admission_cancel_at = u.held_admission, held_transfer_cancel_at = u.held_transfer, held_discharge_cancel_at = u.held_discharge,
      updated_at = now()
    FROM unnest($21::text[], $22::text[], $23::text[], $24::text[], $25::text[], $26::timestamptz[], $27::text[], $28::timestamptz[],
                $29::timestamptz[], $30::timestamptz[], $31::uuid[], $32::uuid[], $33::uuid[], $34::timestamptz[],
                $35::timestamptz[], $36::timestamptz[], $37::timestamptz[])
      AS u(sending_facility, visit_number, subject, state, last_trigger, state_at, state_before_discharge, admitted_at,
           discharged_at, transferred_at, admission_event_id, discharge_event_id, transfer_event_id, info_updated_at,
           held_admission, held_transfer, held_discharge)
    WHERE e.sending_facility = u.sending_facility AND e.visit_number = u.visit_number
    RETURNING 1
  ), ${outboxAppendCtes(38)}
  SELECT (SELECT count(*) FROM inserted)::int AS inserted, (SELECT count(*) FROM saved)::int AS saved`;

/**
 * The two statements of a group-commit transaction. Each round trip to PostgreSQL costs as much
 * as many messages' worth of work, so a batch reads everything it needs in one statement and
 * writes its messages, encounters and outbox events in another.
 *
 * Both are sent unnamed, so PostgreSQL plans them for each batch. As named statements they were
 * given a generic plan while the tables were nearly empty, which hash-joined sequential scans of
 * received_messages and encounters on every batch from then on (1,777 scans of each in 20 s, a
 * third of the machine's CPU at 1,700 msg/s); planning costs far less, and is shared by the batch.
 */
@Injectable()
export class BatchRepository {
  constructor(private readonly outbox: Outbox) {}

  /**
   * Finds earlier receipts of the batch's keys, locks the encounters of its new messages
   * (creating missing ones as `unknown`, so two transactions on one new encounter queue up; in
   * key order, so they do not deadlock) and reads the merges of its patients.
   */
  async readAndLock(manager: EntityManager, keys: readonly BatchKey[]): Promise<BatchSnapshot> {
    const rows: Array<{ kind: SnapshotRow['kind']; row: string }> = await manager.query(READ_AND_LOCK, [
      keys.map((key) => key.sendingFacility),
      keys.map((key) => key.controlId),
      keys.map((key) => key.visitNumber),
      keys.map((key) => key.subject),
      keys.map((key) => key.trigger),
    ]);
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
          encounters.set(encounterKeyOf(parsed.row.sending_facility, parsed.row.visit_number), encounterFromJson(parsed.row));
          break;
        case 'merge':
          survivors.set(parsed.row.prior_subject, parsed.row.surviving_subject);
          break;
      }
    }
    return { receipts, encounters, survivors };
  }

  /**
   * Inserts the received messages, saves the encounters and appends the events to the outbox;
   * returns how many messages were new (fewer: another transaction stored one first, and the
   * caller must roll back).
   */
  async write(manager: EntityManager, received: readonly ReceivedMessageRow[], encounters: readonly StoredEncounter[], events: readonly EventEnvelope[]): Promise<number> {
    if (received.length === 0 && encounters.length === 0) {
      return 0;
    }
    const message = <T>(pick: (row: ReceivedMessageRow) => T): T[] => received.map(pick);
    const encounter = <T>(pick: (row: StoredEncounter) => T): T[] => encounters.map(pick);
    const [{ inserted }]: Array<{ inserted: number }> = await manager.query(WRITE_BATCH, [
      message((r) => r.id),
      message((r) => r.sendingFacility),
      message((r) => r.controlId),
      message((r) => r.triggerEvent),
      message((r) => r.hl7Version),
      message((r) => r.processingId),
      message((r) => r.contentHash),
      message((r) => r.rawMasked),
      message((r) => r.status),
      message((r) => r.ackText),
      message((r) => r.applicationAckText),
      message((r) => r.ackMode),
      message((r) => r.subject),
      message((r) => r.correlationId),
      message((r) => r.eventId),
      message((r) => r.channel),
      message((r) => r.stateOutcome),
      message((r) => r.clinicalTime),
      message((r) => r.identifierHashes.join(',')),
      message((r) => r.replayOf),
      encounter((e) => e.sendingFacility),
      encounter((e) => e.visitNumber),
      encounter((e) => e.subject),
      encounter((e) => e.record.state),
      encounter((e) => e.lastTrigger),
      encounter((e) => e.record.stateAt),
      encounter((e) => e.record.stateBeforeDischarge),
      encounter((e) => e.record.admittedAt),
      encounter((e) => e.record.dischargedAt),
      encounter((e) => e.record.transferredAt),
      encounter((e) => e.record.admissionEventId),
      encounter((e) => e.record.dischargeEventId),
      encounter((e) => e.record.transferEventId),
      encounter((e) => e.record.updatedAt),
      encounter((e) => e.record.held.admission),
      encounter((e) => e.record.held.transfer),
      encounter((e) => e.record.held.discharge),
      ...this.outbox.insertValues(events),
    ]);
    return inserted;
  }
}

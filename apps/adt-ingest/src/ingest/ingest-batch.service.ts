import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { EncounterEpisode, EventEnvelope } from '@sc/contracts';
import { Hl7ErrorCode } from '@sc/hl7';
import { createLogger } from '@sc/observability';
import { encounterKeyOf, EncounterRepository, type StoredEncounter } from '../encounters/encounter.repository';
import { nextEncounter, type EncounterWarning } from '../encounters/encounter-state-machine';
import { IngestError, IngestErrorCode } from '../errors/ingest-error';
import { messageWarnings } from '../quality/message-warnings';
import { acknowledge, type Acknowledgments, type Verdict } from './acknowledgments';
import { encounterEnvelope, episodeKey } from './encounter-event.mapper';
import type { AcceptedInbound } from './inbound-message';
import { IngestMetrics } from './ingest-metrics';
import type { IngestResult, StateOutcome } from './ingest-result';
import { BatchConnections, type BatchTransaction } from './batch-connections';
import { BatchRepository, RECEIVED_KEY_CONSTRAINT, type BatchWrites, type StoredReceipt } from './batch.repository';
import { RejectRepository, type RejectRow } from './reject.repository';

/** Another transaction stored one of the batch's messages between our check and our insert. */
class ConcurrentReceiptError extends Error {
  constructor() {
    super('a message of the batch was stored concurrently');
    this.name = ConcurrentReceiptError.name;
  }
}

const UNIQUE_VIOLATION = '23505';

/** SQLSTATE classes that blame a row, not the database: data exceptions, constraints, limits, raised errors. */
const MESSAGE_SPECIFIC_SQLSTATE_CLASSES = ['22', '23', '42', '54', 'P0'];

function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) {
    return undefined;
  }
  const code = (error as { code?: unknown }).code ?? (error as { driverError?: { code?: unknown } }).driverError?.code;
  return typeof code === 'string' && code.length === 5 ? code : undefined;
}

const msaCode = (ack: string | null): Acknowledgments['code'] => {
  const code = ack === null ? undefined : /(?:^|\r)MSA\|([A-Z]{2})/.exec(ack)?.[1];
  return code === 'AA' || code === 'AE' || code === 'AR' || code === 'CA' || code === 'CE' || code === 'CR' ? code : null;
};

const NO_EPISODE: Pick<EncounterEpisode, 'retractsEventId' | 'amendsEventId' | 'movedEpisodes'> = { retractsEventId: null, amendsEventId: null, movedEpisodes: [] };

/**
 * Stores a batch of parsed messages in one transaction: the received rows (resends and control
 * id conflicts recognised, also between two copies in the same batch), the encounters moved by
 * the state machine, the outbox events and the rejects. If the batch fails, each message is
 * retried in a transaction of its own, so one message the database refuses does not sink the rest.
 */
@Injectable()
export class IngestBatchService {
  private readonly logger = createLogger(IngestBatchService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly connections: BatchConnections,
    private readonly batch: BatchRepository,
    private readonly rejects: RejectRepository,
    private readonly encounters: EncounterRepository,
    private readonly metrics: IngestMetrics,
  ) {}

  async store(items: readonly AcceptedInbound[]): Promise<IngestResult[]> {
    this.metrics.countBatch(items.length);
    try {
      return await this.storeInTransaction(items);
    } catch (error) {
      if (items.length === 1) {
        return [await this.storeAlone(items[0], error)];
      }
      this.metrics.countFallback();
      this.logger.warn({ err: error, batchSize: items.length }, 'batch not stored; storing its messages one by one');
      const results: IngestResult[] = [];
      for (const item of items) {
        results.push(await this.storeAlone(item));
      }
      return results;
    }
  }

  /** One message in its own transaction; a concurrent receipt is retried once, so it is answered as a resend or conflict. */
  private async storeAlone(item: AcceptedInbound, firstError?: unknown): Promise<IngestResult> {
    let error = firstError;
    for (let attempt = firstError === undefined ? 0 : 1; attempt < 2; attempt += 1) {
      if (error !== undefined && !(error instanceof ConcurrentReceiptError)) {
        break;
      }
      try {
        const [result] = await this.storeInTransaction([item]);
        return result;
      } catch (failure) {
        error = failure;
      }
    }
    return this.unstored(item, error);
  }

  private async unstored(item: AcceptedInbound, error: unknown): Promise<IngestResult> {
    const state = sqlState(error);
    const messageSpecific = state !== undefined && MESSAGE_SPECIFIC_SQLSTATE_CLASSES.includes(state.slice(0, 2));
    if (!messageSpecific) {
      // Never a false ACK: the sender must resend once the database is back.
      this.logger.error({ err: error, sqlState: state }, 'message not stored: database unavailable');
      const unavailable = new IngestError(IngestErrorCode.StorageUnavailable, 'temporarily unable to store the message; resend');
      return { disposition: 'storage-unavailable', acks: acknowledge(item.message, '', item.mode, { kind: 'refused', error: unavailable, kept: false }), messageId: null, rejectId: null, eventId: null, stateOutcome: null };
    }
    this.logger.error({ err: error, sqlState: state }, 'message not stored: the database refused its rows');
    const refusal = new IngestError(IngestErrorCode.MessageNotStorable, 'the message could not be stored');
    const acks = acknowledge(item.message, '', item.mode, { kind: 'refused', error: refusal, kept: false });
    const rejectId = randomUUID();
    try {
      await this.rejects.insertMany(this.dataSource.manager, [this.rejectRow(rejectId, item, refusal, acks)]);
      return { disposition: 'not-storable', acks, messageId: null, rejectId, eventId: null, stateOutcome: null };
    } catch (rejectError) {
      this.logger.error({ err: rejectError }, 'reject not recorded');
      return { disposition: 'not-storable', acks, messageId: null, rejectId: null, eventId: null, stateOutcome: null };
    }
  }

  private async storeInTransaction(items: readonly AcceptedInbound[]): Promise<IngestResult[]> {
    try {
      return await this.connections.transaction((transaction) => this.storeBatch(transaction, items));
    } catch (error) {
      const concurrent = sqlState(error) === UNIQUE_VIOLATION && (error as { constraint?: unknown }).constraint === RECEIVED_KEY_CONSTRAINT;
      throw concurrent ? new ConcurrentReceiptError() : error;
    }
  }

  private async storeBatch(transaction: BatchTransaction, items: readonly AcceptedInbound[]): Promise<IngestResult[]> {
    const results: Array<IngestResult | undefined> = new Array(items.length);
    const writes: BatchWrites = { received: [], events: [], encounters: new Map(), rejects: [], replays: [], warnings: [] };

    // The batch's messages by sending facility + control id, in arrival order.
    const byKey = new Map<string, number[]>();
    items.forEach((item, index) => {
      const indexes = byKey.get(item.messageKey);
      if (indexes) {
        indexes.push(index);
      } else {
        byKey.set(item.messageKey, [index]);
      }
    });
    const leaderIndexes = [...byKey.values()].map(([first]) => first);
    const snapshot = await this.batch.readAndLock(
      transaction,
      leaderIndexes.map((index) => {
        const item = items[index];
        const movesEncounter = item.production && item.adt.triggerEvent !== 'A40';
        return { f: item.sendingFacility, c: item.controlId, v: movesEncounter ? item.visitNumber : null, s: item.subject, t: item.adt.triggerEvent };
      }),
    );
    // Each message is compared with the one stored under its key, else with the first of the batch
    // (which is then stored): the same content is a resend, other content a conflict. A resend of
    // a stored message stays a resend when a conflicting message shares its batch.
    const fresh: number[] = [];
    const copies: Array<{ index: number; of: number }> = [];
    const conflicts: number[] = [];
    for (const [key, indexes] of byKey) {
      const receipt = snapshot.receipts.get(key);
      const [first] = indexes;
      if (receipt === undefined) {
        fresh.push(first);
      }
      for (const index of receipt === undefined ? indexes.slice(1) : indexes) {
        if (receipt !== undefined && receipt.contentHash === items[index].contentHash) {
          results[index] = this.resend(receipt, items[index], writes);
        } else if (receipt === undefined && items[first].contentHash === items[index].contentHash) {
          copies.push({ index, of: first });
        } else {
          conflicts.push(index);
        }
      }
    }
    const { survivors, encounters } = snapshot;

    for (const index of fresh) {
      results[index] = await this.accept(transaction, items[index], survivors, encounters, writes);
    }
    for (const index of conflicts) {
      results[index] = this.conflict(items[index], writes);
    }

    await this.batch.writeAndCommit(transaction, writes);
    this.metrics.countWarnings(writes.warnings);

    for (const { index, of } of copies) {
      const original = results[of] as IngestResult;
      results[index] = { ...original, disposition: original.disposition === 'accepted' || original.disposition === 'not-production' ? 'resend' : original.disposition };
    }
    return results as IngestResult[];
  }

  private resend(receipt: StoredReceipt, item: AcceptedInbound, writes: BatchWrites): IngestResult {
    if (item.replayOf !== null) {
      writes.replays.push({ reject_id: item.replayOf, message_id: receipt.id });
    }
    const acks: Acknowledgments = {
      ack: receipt.ackText,
      applicationAck: receipt.applicationAckText,
      code: msaCode(receipt.applicationAckText) ?? msaCode(receipt.ackText),
    };
    return { disposition: 'resend', acks, messageId: receipt.id, rejectId: null, eventId: null, stateOutcome: null };
  }

  private conflict(item: AcceptedInbound, writes: BatchWrites): IngestResult {
    const error = IngestError.controlIdConflict();
    const acks = acknowledge(item.message, '', item.mode, { kind: 'refused', error, kept: true });
    const rejectId = randomUUID();
    writes.rejects.push(this.rejectRow(rejectId, item, error, acks));
    return { disposition: 'control-id-conflict', acks, messageId: null, rejectId, eventId: null, stateOutcome: null };
  }

  private async accept(
    transaction: BatchTransaction,
    item: AcceptedInbound,
    survivors: ReadonlyMap<string, string>,
    encounters: ReadonlyMap<string, StoredEncounter>,
    writes: BatchWrites,
  ): Promise<IngestResult> {
    const { adt } = item;
    const messageId = randomUUID();
    const subject = survivors.get(item.subject) ?? item.subject;
    let stateOutcome: StateOutcome | null = null;
    let event: EventEnvelope | undefined;
    let encounterWarnings: readonly EncounterWarning[] = [];
    if (item.production) {
      const eventId = randomUUID();
      if (adt.triggerEvent === 'A40') {
        const priorSubject = item.priorSubject ?? subject;
        const movedEpisodes = priorSubject === subject ? [] : await this.encounters.merge(transaction, priorSubject, subject);
        stateOutcome = 'merged';
        event = encounterEnvelope(adt, {
          id: eventId,
          subject,
          sendingFacility: item.sendingFacility,
          priorSubject,
          episode: { state: 'unknown', previousState: 'unknown', ...NO_EPISODE, movedEpisodes },
        });
      } else if (item.encounterKey !== null) {
        const encounter = encounters.get(item.encounterKey);
        if (encounter === undefined) {
          throw new Error('encounter not locked');
        }
        const previousState = encounter.record.state;
        const transition = nextEncounter(encounter.record, { trigger: adt.triggerEvent, clinicalTime: adt.clinicalTime, eventId });
        encounter.record = transition.record;
        encounter.subject = subject;
        encounter.lastTrigger = adt.triggerEvent;
        writes.encounters.set(encounterKeyOf(encounter.sendingFacility, encounter.visitNumber), encounter);
        stateOutcome = transition.outcome;
        encounterWarnings = transition.warnings ?? [];
        if (transition.publish) {
          event = encounterEnvelope(adt, {
            id: eventId,
            subject,
            sendingFacility: item.sendingFacility,
            episode: { state: transition.record.state, previousState, ...NO_EPISODE, ...transition.publish },
          });
        }
      } else {
        stateOutcome = 'no-encounter';
        event = encounterEnvelope(adt, { id: eventId, subject, sendingFacility: item.sendingFacility });
      }
    }
    if (event) {
      writes.events.push(event);
    }
    if (item.replayOf !== null) {
      writes.replays.push({ reject_id: item.replayOf, message_id: messageId });
    }
    writes.warnings.push(...messageWarnings(adt, encounterWarnings).map((warning) => ({ messageId, warning })));
    const verdict: Verdict = { kind: 'accepted' };
    const acks = acknowledge(item.message, '', item.mode, verdict);
    writes.received.push({
      id: messageId,
      sending_facility: item.sendingFacility,
      control_id: item.controlId,
      trigger_event: adt.triggerEvent,
      hl7_version: adt.version,
      processing_id: adt.processingId,
      content_hash: item.contentHash,
      raw_masked: item.masked,
      status: item.production ? 'accepted' : 'not-production',
      ack_text: acks.ack,
      application_ack_text: acks.applicationAck,
      ack_mode: item.mode.kind,
      subject,
      correlation_id: episodeKey(adt, item.sendingFacility),
      event_id: event?.id ?? null,
      channel: item.channel,
      state_outcome: stateOutcome,
      clinical_time: adt.clinicalTime,
      identifier_hashes: item.identifierHashes,
      replay_of: item.replayOf,
    });
    return {
      disposition: item.production ? 'accepted' : 'not-production',
      acks,
      messageId,
      rejectId: null,
      eventId: event?.id ?? null,
      stateOutcome,
    };
  }

  private rejectRow(id: string, item: AcceptedInbound, error: IngestError, acks: Acknowledgments): RejectRow {
    return {
      id,
      sendingFacility: item.sendingFacility,
      controlId: item.controlId,
      errorCode: error.hl7?.code ?? Hl7ErrorCode.ApplicationInternalError,
      errorSegment: error.hl7?.location.segment ?? null,
      errorField: error.hl7?.location.field ?? null,
      diagnostic: error.message,
      rawMasked: item.masked,
      contentHash: item.contentHash,
      channel: item.channel,
      ackMode: item.mode.kind,
      nakText: acks.ack ?? acks.applicationAck,
      replayOf: item.replayOf,
    };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Hl7ErrorCode, type AckCode } from '@sc/hl7';
import { createLogger, runWithLogContext } from '@sc/observability';
import { GroupCommitter, type GroupCommitStats } from '@sc/persistence';
import { SERVICE_CONFIG } from '@sc/platform';
import type { AdtIngestConfig } from '../config';
import { acknowledge } from './acknowledgments';
import { readInbound, type AcceptedInbound, type IngestChannel, type InboundSettings, type RefusedInbound } from './inbound-message';
import { IngestBatchService } from './ingest-batch.service';
import { IngestMetrics } from './ingest-metrics';
import type { Disposition, IngestResult, StateOutcome } from './ingest-result';
import { RejectRepository } from './reject.repository';

export type { IngestChannel } from './inbound-message';

export interface IngestOutcome {
  /** The first acknowledgment to send (original-mode ACK or enhanced-mode commit ACK); null when the sender asked for none. */
  ack: string | null;
  /** Every acknowledgment to send, in order: enhanced mode adds the application acknowledgment. */
  acks: string[];
  /** MSA-1 of the decisive acknowledgment. */
  code: AckCode | null;
  /** What happened, for metrics and the caller's logs (no patient data). */
  disposition: Disposition;
  messageId: string | null;
  rejectId: string | null;
  eventId: string | null;
  stateOutcome: StateOutcome | null;
}

export interface ReceiveOptions {
  /** The reject an operator replays with this message. */
  readonly replayOf?: string;
}

/**
 * The front door for every hospital message, whatever the transport: decode, parse, then store
 * (message + encounter state + outbox event in one transaction, shared with the messages that
 * arrive at the same moment) and answer. An accept is only sent after the commit; when the
 * database is unavailable the answer is a NAK.
 */
@Injectable()
export class IngestService {
  private readonly logger = createLogger(IngestService.name);
  private readonly settings: InboundSettings;
  private readonly committer: GroupCommitter<AcceptedInbound, IngestResult>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly batches: IngestBatchService,
    private readonly rejects: RejectRepository,
    private readonly metrics: IngestMetrics,
    @Inject(SERVICE_CONFIG) config: AdtIngestConfig,
  ) {
    this.settings = {
      facilityTimeZones: config.FACILITY_TIME_ZONES,
      defaultTimeZone: config.DEFAULT_TIME_ZONE,
      receiverProcessingId: config.RECEIVER_PROCESSING_ID,
      patientRefKey: config.PATIENT_REF_KEY,
      enhancedFacilities: config.ENHANCED_ACK_FACILITIES,
    };
    this.committer = new GroupCommitter((items) => this.batches.store(items), traitsOf, {
      maxBatch: config.INGEST_BATCH_MAX_MESSAGES,
      windowMs: config.INGEST_BATCH_WINDOW_MS,
      maxConcurrent: config.INGEST_CONCURRENT_BATCHES,
    });
  }

  async receive(raw: Buffer, channel: IngestChannel, options: ReceiveOptions = {}): Promise<IngestOutcome> {
    const inbound = readInbound(raw, channel, this.settings, options.replayOf ?? null);
    const controlId = inbound.kind === 'accepted' ? inbound.controlId : (inbound.controlId ?? undefined);
    return runWithLogContext({ messageControlId: controlId }, async () => {
      const result = inbound.kind === 'accepted' ? await this.committer.submit(inbound) : await this.refuse(inbound);
      this.metrics.count(result.disposition);
      const acks = [result.acks.ack, result.acks.applicationAck].filter((ack): ack is string => ack !== null);
      return {
        ack: acks[0] ?? null,
        acks,
        code: result.acks.code,
        disposition: result.disposition,
        messageId: result.messageId,
        rejectId: result.rejectId,
        eventId: result.eventId,
        stateOutcome: result.stateOutcome,
      };
    });
  }

  get batching(): GroupCommitStats {
    return this.committer.stats;
  }

  /** Lets messages already taken finish storing (and be answered) before shutdown. */
  drained(): Promise<void> {
    return this.committer.drained();
  }

  private async refuse(inbound: RefusedInbound): Promise<IngestResult> {
    const { error } = inbound;
    this.logger.warn({ hl7ErrorCode: error.hl7?.code, segment: error.hl7?.location.segment, field: error.hl7?.location.field }, 'message rejected');
    const rejectId = randomUUID();
    const acks = acknowledge(inbound.header, inbound.text, inbound.mode, { kind: 'refused', error, kept: true });
    try {
      await this.rejects.insertMany(this.dataSource.manager, [
        {
          id: rejectId,
          sendingFacility: inbound.sendingFacility,
          controlId: inbound.controlId,
          errorCode: error.hl7?.code ?? Hl7ErrorCode.ApplicationInternalError,
          errorSegment: error.hl7?.location.segment ?? null,
          errorField: error.hl7?.location.field ?? null,
          diagnostic: error.message,
          rawMasked: inbound.masked,
          contentHash: inbound.contentHash,
          channel: inbound.channel,
          ackMode: inbound.mode.kind,
          nakText: acks.ack ?? acks.applicationAck,
          replayOf: inbound.replayOf,
        },
      ]);
      return { disposition: 'rejected', acks, messageId: null, rejectId, eventId: null, stateOutcome: null };
    } catch (storeError) {
      this.logger.error({ err: storeError }, 'reject not recorded');
      return {
        disposition: 'rejected',
        acks: acknowledge(inbound.header, inbound.text, inbound.mode, { kind: 'refused', error, kept: false }),
        messageId: null,
        rejectId: null,
        eventId: null,
        stateOutcome: null,
      };
    }
  }
}

/** Messages of one encounter, one patient or one control id never commit in two batches at once: their order holds. */
function traitsOf(item: AcceptedInbound): { locks: string[]; solo: boolean } {
  const locks = [`message:${item.messageKey}`, `patient:${item.subject}`];
  if (item.encounterKey !== null) {
    locks.push(`encounter:${item.encounterKey}`);
  }
  if (item.priorSubject !== null) {
    locks.push(`patient:${item.priorSubject}`);
  }
  return { locks, solo: item.adt.triggerEvent === 'A40' };
}

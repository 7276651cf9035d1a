import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import {
  Hl7ErrorCode,
  Hl7ParseError,
  ackErrorFrom,
  buildAck,
  buildNakForUnparseable,
  decodeHl7Bytes,
  nakCodeFor,
  maskSsn,
  parseHl7,
  readAdt,
  type AdtMessage,
  type Hl7Message,
} from '@sc/hl7';
import { Outbox } from '@sc/messaging';
import { createLogger, runWithLogContext } from '@sc/observability';
import { SERVICE_CONFIG } from '@sc/platform';
import type { AdtIngestConfig } from '../config';
import { toEncounterEvent } from './encounter-event.mapper';
import { nextEncounterState } from './encounter-state';

export type IngestChannel = 'mllp' | 'http';

export interface IngestOutcome {
  ack: string;
  /** MSA-1 of the answer. */
  code: 'AA' | 'AE' | 'AR';
  /** What happened, for metrics and the caller's logs (no patient data). */
  disposition: 'accepted' | 'resend' | 'not-production' | 'rejected' | 'control-id-conflict' | 'storage-unavailable';
}

const ackControlId = (): string => randomBytes(10).toString('hex');
const hashOf = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The front door for every hospital message, whatever the transport: decode, parse, store
 * (message + encounter state + outbox event in one transaction), then answer. An AA is only
 * ever sent after the commit; when the database is unavailable the answer is a NAK.
 */
@Injectable()
export class IngestService {
  private readonly logger = createLogger(IngestService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    @Inject(SERVICE_CONFIG) private readonly config: AdtIngestConfig,
  ) {}

  async receive(raw: Buffer, channel: IngestChannel): Promise<IngestOutcome> {
    const text = decodeHl7Bytes(raw);
    let message: Hl7Message;
    let adt: AdtMessage;
    try {
      message = parseHl7(text);
      adt = readAdt(message, { facilityTimeZones: this.config.FACILITY_TIME_ZONES, defaultTimeZone: this.config.DEFAULT_TIME_ZONE });
    } catch (error) {
      return this.reject(text, error, channel);
    }
    return runWithLogContext({ messageControlId: adt.controlId }, () => this.store(message, adt, text, channel));
  }

  private async store(message: Hl7Message, adt: AdtMessage, text: string, channel: IngestChannel): Promise<IngestOutcome> {
    const contentHash = hashOf(text);
    const production = adt.processingId === this.config.RECEIVER_PROCESSING_ID;
    const ack = buildAck(message, { code: 'AA', controlId: ackControlId() });
    try {
      return await this.dataSource.transaction(async (manager) => {
        const mapped = toEncounterEvent(adt, this.config.PATIENT_REF_KEY);
        const inserted: unknown[] = await manager.query(
          `INSERT INTO received_messages (id, sending_facility, control_id, trigger_event, hl7_version, processing_id, content_hash,
             raw_masked, status, ack_text, subject, correlation_id, event_id, channel)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
           ON CONFLICT (sending_facility, control_id) DO NOTHING RETURNING id`,
          [
            randomUUID(),
            mapped.sendingFacility,
            adt.controlId,
            adt.triggerEvent,
            adt.version,
            adt.processingId,
            contentHash,
            maskSsn(text),
            production ? 'accepted' : 'not-production',
            ack,
            mapped.subject,
            mapped.correlationId,
            production ? mapped.envelope.id : null,
            channel,
          ],
        );
        if (inserted.length === 0) {
          return this.answerRepeat(manager, message, { sendingFacility: mapped.sendingFacility, controlId: adt.controlId, contentHash, channel, text });
        }
        if (!production) {
          return { ack, code: 'AA' as const, disposition: 'not-production' as const };
        }
        await this.recordEncounterState(manager, adt, mapped.sendingFacility, mapped.subject);
        await this.outbox.append(manager, mapped.envelope);
        return { ack, code: 'AA' as const, disposition: 'accepted' as const };
      });
    } catch (error) {
      // Never a false ACK: if we could not commit, the sender must resend.
      this.logger.error({ err: error }, 'message not stored; answering AR');
      return {
        ack: buildAck(message, {
          code: 'AR',
          controlId: ackControlId(),
          text: 'temporarily unable to store the message; resend',
          error: { code: Hl7ErrorCode.ApplicationInternalError, severity: 'E', diagnostic: 'storage unavailable' },
        }),
        code: 'AR',
        disposition: 'storage-unavailable',
      };
    }
  }

  /**
   * Same (sending facility, MSH-10) again: a true resend (same content) gets the original ACK and
   * produces no second event; different content under a used control id is refused (205).
   */
  private async answerRepeat(
    manager: EntityManager,
    message: Hl7Message,
    received: { sendingFacility: string; controlId: string; contentHash: string; channel: IngestChannel; text: string },
  ): Promise<IngestOutcome> {
    const { sendingFacility, controlId, contentHash, channel, text } = received;
    const [previous]: Array<{ content_hash: string; ack_text: string }> = await manager.query(
      'SELECT content_hash, ack_text FROM received_messages WHERE sending_facility = $1 AND control_id = $2',
      [sendingFacility, controlId],
    );
    if (previous.content_hash === contentHash) {
      return { ack: previous.ack_text, code: 'AA', disposition: 'resend' };
    }
    const error = new Hl7ParseError(Hl7ErrorCode.DuplicateKeyIdentifier, { segment: 'MSH', sequence: 1, field: 10 }, 'control id already used for a different message');
    await this.saveReject(manager, error, maskSsn(text), contentHash, channel, sendingFacility, controlId);
    return {
      ack: buildAck(message, { code: 'AR', controlId: ackControlId(), error: ackErrorFrom(error) }),
      code: 'AR',
      disposition: 'control-id-conflict',
    };
  }

  private async recordEncounterState(manager: EntityManager, adt: AdtMessage, sendingFacility: string, subject: string): Promise<void> {
    const visitNumber = adt.visit?.visitNumber;
    if (!visitNumber) {
      return;
    }
    await manager.query(
      `INSERT INTO encounters (sending_facility, visit_number, subject, state, last_trigger, last_clinical_time)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (sending_facility, visit_number) DO UPDATE SET
         subject = EXCLUDED.subject, state = EXCLUDED.state, last_trigger = EXCLUDED.last_trigger,
         last_clinical_time = EXCLUDED.last_clinical_time, updated_at = now()`,
      [sendingFacility, visitNumber, subject, nextEncounterState(adt.triggerEvent), adt.triggerEvent, adt.clinicalTime],
    );
  }

  private async reject(text: string, error: unknown, channel: IngestChannel): Promise<IngestOutcome> {
    const code = error instanceof Hl7ParseError ? error.code : Hl7ErrorCode.ApplicationInternalError;
    // AE when the sender can correct the body; AR for anything wrong in MSH, frames that are not HL7, unsupported types.
    const ackCode = error instanceof Hl7ParseError ? nakCodeFor(error.code, error) : 'AR';
    const nak = buildNakForUnparseable(text, error, { controlId: ackControlId(), code: ackCode === 'AE' ? 'AE' : 'AR' });
    this.logger.warn({ hl7ErrorCode: code, segment: error instanceof Hl7ParseError ? error.segment : undefined }, 'message rejected');
    try {
      await this.saveReject(this.dataSource.manager, error, maskSsn(text), hashOf(text), channel);
    } catch (storeError) {
      this.logger.error({ err: storeError }, 'reject not recorded');
    }
    return { ack: nak, code: ackCode === 'AE' ? 'AE' : 'AR', disposition: 'rejected' };
  }

  private async saveReject(
    manager: EntityManager,
    error: unknown,
    rawMasked: string,
    contentHash: string,
    channel: IngestChannel,
    sendingFacility?: string,
    controlId?: string,
  ): Promise<void> {
    const parseError = error instanceof Hl7ParseError ? error : undefined;
    await manager.query(
      `INSERT INTO rejects (id, sending_facility, control_id, error_code, error_segment, error_field, diagnostic, raw_masked, content_hash, channel)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        randomUUID(),
        sendingFacility ?? null,
        controlId ?? null,
        parseError?.code ?? Hl7ErrorCode.ApplicationInternalError,
        parseError?.segment ?? null,
        parseError?.field ?? null,
        parseError?.message ?? 'unreadable message',
        rawMasked,
        contentHash,
        channel,
      ],
    );
  }
}

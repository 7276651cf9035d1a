import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { encodeHl7Text } from '@sc/hl7';
import { createLogger } from '@sc/observability';
import { SERVICE_CONFIG } from '@sc/platform';
import type { AdtIngestConfig } from '../config';
import { IngestError, IngestErrorCode } from '../errors/ingest-error';
import { identifierHash } from '../ingest/identifier-hash';
import { IngestService } from '../ingest/ingest.service';
import { RejectRepository } from '../ingest/reject.repository';
import type { MessageSearchDto, RejectSearchDto } from './operator.dto';
import { OperatorRepository, type Page } from './operator.repository';
import type { MessageDetailView, MessageSummaryView, RejectDetailView, RejectSummaryView, ReplayView } from './operator.views';

/** What the interface team does with the feed: find messages and rejects, read them (masked), replay a reject. */
@Injectable()
export class OperatorService {
  private readonly logger = createLogger(OperatorService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: OperatorRepository,
    private readonly rejects: RejectRepository,
    private readonly ingest: IngestService,
    @Inject(SERVICE_CONFIG) private readonly config: AdtIngestConfig,
  ) {}

  searchMessages(query: MessageSearchDto): Promise<Page<MessageSummaryView>> {
    const { identifier, authority, ...rest } = query;
    return this.repository.searchMessages({
      ...rest,
      identifierHash: identifier === undefined ? undefined : identifierHash(identifier, authority, this.config.PATIENT_REF_KEY),
    });
  }

  async message(id: string): Promise<MessageDetailView> {
    const message = await this.repository.findMessage(id);
    if (!message) {
      throw new IngestError(IngestErrorCode.MessageNotFound, `message ${id} not found`);
    }
    return message;
  }

  searchRejects(query: RejectSearchDto): Promise<Page<RejectSummaryView>> {
    return this.repository.searchRejects(query);
  }

  async reject(id: string): Promise<RejectDetailView> {
    const reject = await this.repository.findReject(id);
    if (!reject) {
      throw new IngestError(IngestErrorCode.RejectNotFound, `reject ${id} not found`);
    }
    return reject;
  }

  /**
   * Runs a reject through ingest again, like a new arrival: with the sender's corrected message,
   * or, when the fix was on our side (configuration, a database refusal), with the stored one. A
   * stored (or resent) result settles the reject in the same transaction; a new refusal is kept
   * as a new reject pointing at this one.
   */
  async replay(id: string, corrected: Buffer | undefined): Promise<ReplayView> {
    const reject = await this.reject(id);
    if (reject.status === 'replayed') {
      throw new IngestError(IngestErrorCode.RejectAlreadyReplayed, `reject ${id} was already replayed as message ${reject.replayedMessageId ?? ''}`);
    }
    if (corrected === undefined && reject.rawMasked === null) {
      throw new IngestError(IngestErrorCode.RawMessagePurged, `the raw text of reject ${id} was removed by the retention policy; send the corrected message`);
    }
    const raw = corrected ?? encodeHl7Text(reject.rawMasked ?? '');
    const outcome = await this.ingest.receive(raw, 'replay', { replayOf: id });
    const settled = outcome.disposition === 'accepted' || outcome.disposition === 'resend' || outcome.disposition === 'not-production';
    if (!settled) {
      await this.rejects.countReplayAttempt(this.dataSource.manager, id);
    }
    this.logger.info({ rejectId: id, disposition: outcome.disposition, corrected: corrected !== undefined }, 'reject replayed');
    return {
      disposition: outcome.disposition,
      acks: outcome.acks,
      messageId: outcome.messageId,
      rejectId: outcome.rejectId,
      rejectStatus: settled ? 'replayed' : 'open',
    };
  }
}

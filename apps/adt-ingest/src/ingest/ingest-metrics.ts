import { Inject, Injectable } from '@nestjs/common';
import { MetricsRegistry, type Counter, type Histogram } from '@sc/observability';
import type { Disposition } from './ingest-result';

export interface IngestCounters {
  readonly received: number;
  readonly byDisposition: Readonly<Record<Disposition, number>>;
  /** Transactions that stored a batch, and the messages they held. */
  readonly batches: number;
  readonly batchedMessages: number;
  /** Batches that failed as a whole and were retried one message per transaction. */
  readonly batchFallbacks: number;
  readonly rawPurged: number;
}

const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000] as const;

/** Plain counters, cheap enough for every message; also exported on /metrics. */
@Injectable()
export class IngestMetrics {
  private received = 0;
  private batches = 0;
  private batchedMessages = 0;
  private batchFallbacks = 0;
  private rawPurged = 0;
  private readonly byDisposition: Record<Disposition, number> = {
    accepted: 0,
    resend: 0,
    'not-production': 0,
    rejected: 0,
    'control-id-conflict': 0,
    'storage-unavailable': 0,
    'not-storable': 0,
  };
  private readonly messages: Counter;
  private readonly batchSizes: Histogram;
  private readonly fallbacks: Counter;
  private readonly purged: Counter;
  private readonly warnings: Counter;

  constructor(@Inject(MetricsRegistry) registry: MetricsRegistry) {
    this.messages = registry.counter('sc_ingest_messages_total', 'HL7 messages received, by disposition (accepted, resend, rejected, ...).');
    this.batchSizes = registry.histogram('sc_ingest_batch_size', 'Messages stored per group-commit transaction.', BATCH_SIZE_BUCKETS);
    this.fallbacks = registry.counter('sc_ingest_batch_fallbacks_total', 'Batches retried one message per transaction after the batch failed.');
    this.purged = registry.counter('sc_ingest_raw_purged_total', 'Rows whose raw message text the retention policy removed.');
    this.warnings = registry.counter('sc_ingest_quality_warnings_total', 'Accepted messages with a data-quality warning, by warning (see docs/ingest.md).');
  }

  /** Warnings of a committed batch. */
  countWarnings(rows: ReadonlyArray<{ warning: string }>): void {
    rows.forEach(({ warning }) => this.warnings.inc({ warning }));
  }

  count(disposition: Disposition): void {
    this.received += 1;
    this.byDisposition[disposition] += 1;
    this.messages.inc({ disposition });
  }

  countBatch(size: number): void {
    this.batches += 1;
    this.batchedMessages += size;
    this.batchSizes.observe(size);
  }

  countFallback(): void {
    this.batchFallbacks += 1;
    this.fallbacks.inc();
  }

  countPurged(rows: number): void {
    this.rawPurged += rows;
    this.purged.inc({}, rows);
  }

  snapshot(): IngestCounters {
    return {
      received: this.received,
      byDisposition: { ...this.byDisposition },
      batches: this.batches,
      batchedMessages: this.batchedMessages,
      batchFallbacks: this.batchFallbacks,
      rawPurged: this.rawPurged,
    };
  }
}

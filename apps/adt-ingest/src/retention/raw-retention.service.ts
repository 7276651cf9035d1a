import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createLogger } from '@sc/observability';
import { SERVICE_CONFIG } from '@sc/platform';
import type { AdtIngestConfig } from '../config';
import { IngestMetrics } from '../ingest/ingest-metrics';

const DAY_MS = 86_400_000;
/** Rows per statement, so a first purge of a large backlog does not hold one long transaction. */
const CHUNK = 5_000;

/**
 * Removes the masked raw text of received messages and rejects older than RAW_RETENTION_DAYS,
 * every RAW_PURGE_INTERVAL_MS. The rows stay (ids, outcomes, acknowledgments, hashes), so resends
 * are still recognised and searches still work; only the message text goes.
 */
@Injectable()
export class RawRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = createLogger(RawRetentionService.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: IngestMetrics,
    @Inject(SERVICE_CONFIG) private readonly config: AdtIngestConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.purge().catch((error: unknown) => this.logger.warn({ err: error }, 'raw message purge failed; will retry'));
    }, this.config.RAW_PURGE_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Purges what is past retention at `now`; returns the number of rows whose raw text was removed. */
  purge(now: Date = new Date()): Promise<number> {
    this.running ??= this.purgeBefore(new Date(now.getTime() - this.config.RAW_RETENTION_DAYS * DAY_MS)).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async purgeBefore(cutoff: Date): Promise<number> {
    let total = 0;
    for (const table of ['received_messages', 'rejects']) {
      for (;;) {
        const [{ count }]: Array<{ count: number }> = await this.dataSource.query(
          `WITH purged AS (
             UPDATE ${table} SET raw_masked = NULL
             WHERE id IN (SELECT id FROM ${table} WHERE received_at < $1 AND raw_masked IS NOT NULL LIMIT ${CHUNK})
             RETURNING 1)
           SELECT count(*)::int AS count FROM purged`,
          [cutoff.toISOString()],
        );
        total += count;
        if (count < CHUNK) {
          break;
        }
      }
    }
    if (total > 0) {
      this.metrics.countPurged(total);
      this.logger.info({ rows: total, retentionDays: this.config.RAW_RETENTION_DAYS }, 'raw message text purged');
    }
    return total;
  }
}

import { runFeed, type FeedOptions } from '../feed/feed-engine';
import type { SyntheticPatient } from '../feed/synthetic-hospital';

export interface FeedTotals {
  sent: number;
  acks: Record<string, number>;
  rosteredDischarges: number;
  /** Chunks that could not start because adt-ingest refused the connection. */
  refusedConnections: number;
}

/**
 * The synthetic hospital feed, played without end in short chunks: a chunk's MLLP connections
 * die with adt-ingest, and the next chunk connects again once it is back, as an interface
 * engine would.
 */
export class SteadyFeed {
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private chunk = 0;
  readonly totals: FeedTotals = { sent: 0, acks: {}, rosteredDischarges: 0, refusedConnections: 0 };

  constructor(
    private readonly options: Omit<FeedOptions, 'durationSeconds' | 'runTag'> & { chunkSeconds: number; runTag: string },
    private readonly patients: SyntheticPatient[],
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.play();
  }

  async stop(): Promise<FeedTotals> {
    this.running = false;
    await this.loop;
    return this.totals;
  }

  /** Totals since an earlier snapshot of them. */
  since(earlier: FeedTotals): FeedTotals {
    const acks = Object.fromEntries(Object.entries(this.totals.acks).map(([code, count]) => [code, count - (earlier.acks[code] ?? 0)]));
    return {
      sent: this.totals.sent - earlier.sent,
      acks,
      rosteredDischarges: this.totals.rosteredDischarges - earlier.rosteredDischarges,
      refusedConnections: this.totals.refusedConnections - earlier.refusedConnections,
    };
  }

  snapshot(): FeedTotals {
    return structuredClone(this.totals);
  }

  private async play(): Promise<void> {
    while (this.running) {
      this.chunk += 1;
      try {
        const summary = await runFeed({ ...this.options, durationSeconds: this.options.chunkSeconds, runTag: `${this.options.runTag}-${this.chunk}` }, this.patients);
        this.totals.sent += summary.sent;
        this.totals.rosteredDischarges += summary.rosteredDischarges;
        for (const [code, count] of Object.entries(summary.acks)) {
          this.totals.acks[code] = (this.totals.acks[code] ?? 0) + count;
        }
      } catch {
        this.totals.refusedConnections += 1;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }
}

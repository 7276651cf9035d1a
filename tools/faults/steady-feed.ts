import { runFeed, type FeedOptions, type FeedProgress } from '../feed/feed-engine';
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
  /** Completed chunks only; snapshot() adds the running chunk's progress. */
  private readonly completed: FeedTotals = { sent: 0, acks: {}, rosteredDischarges: 0, refusedConnections: 0 };
  private current: FeedProgress | undefined;

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
    return this.snapshot();
  }

  /** Totals since an earlier snapshot (to within the half second between progress reports). */
  since(earlier: FeedTotals): FeedTotals {
    const now = this.snapshot();
    const acks = Object.fromEntries(Object.entries(now.acks).map(([code, count]) => [code, count - (earlier.acks[code] ?? 0)]));
    return {
      sent: now.sent - earlier.sent,
      acks,
      rosteredDischarges: now.rosteredDischarges - earlier.rosteredDischarges,
      refusedConnections: now.refusedConnections - earlier.refusedConnections,
    };
  }

  snapshot(): FeedTotals {
    const totals = structuredClone(this.completed);
    if (this.current !== undefined) {
      totals.sent += this.current.sent;
      for (const [code, count] of Object.entries(this.current.acks)) {
        totals.acks[code] = (totals.acks[code] ?? 0) + count;
      }
    }
    return totals;
  }

  private async play(): Promise<void> {
    while (this.running) {
      this.chunk += 1;
      try {
        const summary = await runFeed(
          { ...this.options, durationSeconds: this.options.chunkSeconds, runTag: `${this.options.runTag}-${this.chunk}` },
          this.patients,
          (progress) => {
            this.current = progress;
          },
        );
        this.current = undefined;
        this.completed.sent += summary.sent;
        this.completed.rosteredDischarges += summary.rosteredDischarges;
        for (const [code, count] of Object.entries(summary.acks)) {
          this.completed.acks[code] = (this.completed.acks[code] ?? 0) + count;
        }
      } catch {
        this.current = undefined;
        this.completed.refusedConnections += 1;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }
}

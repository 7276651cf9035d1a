import type { TopicPartition, TopicPartitionOffset } from './kafka-consumer';

const keyOf = ({ topic, partition }: TopicPartition): string => `${topic}\u0000${partition}`;

/**
 * Commits handled offsets to Kafka at most once per `intervalMs` per partition (and, through
 * the caller's timer, those that wait): a live feed arrives a few events per fetch, and a commit
 * per event would cost more than handling it. An offset is recorded only once its event's
 * transaction committed, so committing it late, or after the partition went to another member,
 * can only make events be seen again, never skipped; the consumers' idempotency absorbs that.
 */
export class OffsetCommitter {
  private readonly waiting = new Map<string, TopicPartitionOffset>();
  private readonly lastCommitAt = new Map<string, number>();
  /** Commits run one after another, so an older offset never lands after a newer one. */
  private commits: Promise<void> = Promise.resolve();

  constructor(
    private readonly commit: (offsets: TopicPartitionOffset[]) => Promise<void>,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Everything before `offset` of the partition is handled. */
  handled(offset: TopicPartitionOffset): void {
    this.waiting.set(keyOf(offset), offset);
  }

  /** Forgets partitions no longer assigned to this member: their offsets are the new owner's. */
  keepOnly(assigned: readonly TopicPartition[]): void {
    const kept = new Set(assigned.map(keyOf));
    for (const key of this.waiting.keys()) {
      if (!kept.has(key)) {
        this.waiting.delete(key);
      }
    }
  }

  /** Commits the partitions not committed for `intervalMs`. */
  commitDue(): Promise<void> {
    return this.enqueue(false);
  }

  /** Commits every waiting offset (the timer, shutdown). */
  commitAll(): Promise<void> {
    return this.enqueue(true);
  }

  private enqueue(all: boolean): Promise<void> {
    this.commits = this.commits.catch(() => undefined).then(() => this.commitWaiting(all));
    return this.commits;
  }

  private async commitWaiting(all: boolean): Promise<void> {
    const now = this.now();
    const ready = [...this.waiting].filter(([key]) => all || now - (this.lastCommitAt.get(key) ?? 0) >= this.intervalMs);
    if (ready.length === 0) {
      return;
    }
    for (const [key] of ready) {
      this.waiting.delete(key);
      this.lastCommitAt.set(key, now);
    }
    try {
      await this.commit(ready.map(([, offset]) => offset));
    } catch (error) {
      // Put back what no newer offset replaced meanwhile; the next commit carries it.
      for (const [key, offset] of ready) {
        if (!this.waiting.has(key)) {
          this.waiting.set(key, offset);
        }
      }
      throw error;
    }
  }
}

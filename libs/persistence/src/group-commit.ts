export interface GroupCommitOptions {
  /** Most items in one batch. */
  readonly maxBatch: number;
  /**
   * How long the first waiting item may wait for others before its batch starts. 0: a batch
   * starts on the next turn of the event loop when a slot is free; the items that arrive while
   * all slots are busy form the next batch.
   */
  readonly windowMs: number;
  /** Batches in flight at once. */
  readonly maxConcurrent: number;
}

/** How an item may be batched. */
export interface BatchTraits {
  /**
   * Keys two batches in flight at once may not share (an encounter, a patient, a message key):
   * items with a common key are committed one batch after the other, in arrival order.
   */
  readonly locks: readonly string[];
  /** Commits in a batch of its own. */
  readonly solo: boolean;
}

export interface GroupCommitStats {
  readonly batches: number;
  readonly items: number;
  readonly largestBatch: number;
  readonly waiting: number;
  readonly inFlight: number;
}

interface Waiting<I, R> {
  readonly item: I;
  readonly traits: BatchTraits;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Gathers items submitted close together (from any number of connections) into batches and
 * hands each batch to `commit`, which answers every item of it; each submitter gets its own
 * answer once its batch is done. Under load the batches grow by themselves: whatever arrives
 * while the slots are busy goes into the next batch.
 */
export class GroupCommitter<I, R> {
  private readonly queue: Array<Waiting<I, R>> = [];
  private readonly heldLocks = new Set<string>();
  private inFlight = 0;
  private scheduled = false;
  private idle: Array<() => void> = [];
  private counters = { batches: 0, items: 0, largestBatch: 0 };

  constructor(
    private readonly commit: (items: I[]) => Promise<R[]>,
    private readonly traitsOf: (item: I) => BatchTraits,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, traits: this.traitsOf(item), resolve, reject });
      this.schedule();
    });
  }

  get stats(): GroupCommitStats {
    return { ...this.counters, waiting: this.queue.length, inFlight: this.inFlight };
  }

  /** Resolves when nothing is waiting or in flight. */
  drained(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private schedule(): void {
    if (this.inFlight >= this.options.maxConcurrent) {
      return;
    }
    if (this.queue.length >= this.options.maxBatch) {
      this.flush();
      return;
    }
    if (this.scheduled) {
      return;
    }
    this.scheduled = true;
    const run = (): void => {
      this.scheduled = false;
      this.flush();
    };
    if (this.options.windowMs === 0) {
      setImmediate(run);
    } else {
      setTimeout(run, this.options.windowMs);
    }
  }

  private flush(): void {
    while (this.inFlight < this.options.maxConcurrent) {
      const batch = this.take();
      if (batch.length === 0) {
        break;
      }
      this.start(batch);
    }
  }

  /** The next batch: items in arrival order, skipping (and keeping in order behind) any whose keys a batch in flight holds. */
  private take(): Array<Waiting<I, R>> {
    const batch: Array<Waiting<I, R>> = [];
    const blocked = new Set<string>();
    let index = 0;
    while (index < this.queue.length && batch.length < this.options.maxBatch) {
      const entry = this.queue[index];
      const { locks, solo } = entry.traits;
      const mustWait = locks.some((lock) => this.heldLocks.has(lock) || blocked.has(lock)) || (solo && batch.length > 0);
      if (mustWait) {
        locks.forEach((lock) => blocked.add(lock));
        index += 1;
        continue;
      }
      batch.push(entry);
      this.queue.splice(index, 1);
      if (solo) {
        break;
      }
    }
    return batch;
  }

  private start(batch: Array<Waiting<I, R>>): void {
    this.inFlight += 1;
    const locks = batch.flatMap((entry) => entry.traits.locks);
    locks.forEach((lock) => this.heldLocks.add(lock));
    this.counters.batches += 1;
    this.counters.items += batch.length;
    this.counters.largestBatch = Math.max(this.counters.largestBatch, batch.length);
    const settle = (answer: (entry: Waiting<I, R>, index: number) => void): void => {
      locks.forEach((lock) => this.heldLocks.delete(lock));
      this.inFlight -= 1;
      batch.forEach(answer);
      if (this.queue.length > 0) {
        // These waited for a slot for as long as the commit took: no window for them.
        this.flush();
      } else if (this.inFlight === 0) {
        this.idle.splice(0).forEach((resolve) => resolve());
      }
    };
    this.commit(batch.map((entry) => entry.item)).then(
      (results) =>
        settle((entry, index) =>
          index < results.length ? entry.resolve(results[index]) : entry.reject(new Error('the batch returned fewer results than items')),
        ),
      (error: unknown) => settle((entry) => entry.reject(error)),
    );
  }
}

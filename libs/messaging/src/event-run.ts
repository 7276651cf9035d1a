import type { EventEnvelope } from '@sc/contracts';

/**
 * What a handler receives: consecutive events of one partition, in order, handled in one
 * transaction (a single event is a run of one). A handler reads and writes for the whole run
 * where it can (one statement for every event's lookup) and does each event's own effects
 * `within` it, so what they log and emit carries that event's trace.
 */
export class EventRun<E extends EventEnvelope = EventEnvelope> {
  constructor(
    readonly events: readonly E[],
    private readonly enter: <T>(event: E, work: () => Promise<T>) => Promise<T>,
  ) {}

  /** A run handled outside the transport (a test, a repair): its events get no span of their own. */
  static of<E extends EventEnvelope>(events: readonly E[]): EventRun<E> {
    return new EventRun(events, (_event, work) => work());
  }

  /** Runs `work` as `event`'s: in its consumer span and log context. */
  within<T>(event: E, work: () => Promise<T>): Promise<T> {
    return this.enter(event, work);
  }

  /** Handles the events one after another, each `within` itself. */
  async each(work: (event: E) => Promise<unknown>): Promise<void> {
    for (const event of this.events) {
      await this.enter(event, () => work(event));
    }
  }
}

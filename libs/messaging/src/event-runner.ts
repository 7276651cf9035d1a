import { EventHeaders, parseEnvelope, type EventEnvelope } from '@sc/contracts';
import { SpanKind, createLogger, parseTraceparent, withSpan, type MetricsRegistry } from '@sc/observability';
import { EventRun } from './event-run';
import type { EventRelevance } from './event-relevance';
import { backoffDelay, decideOnFailure } from './event-failure';
import type { ConsumedMessage, PartitionBatch } from './kafka-consumer';

/** Takes a run of events of the types it is registered for; its errors decide retry or dead letter. */
export type EventHandler = (run: EventRun) => Promise<void>;

export type EventOutcome = 'handled' | 'skipped' | 'not-relevant' | 'duplicate' | 'retried' | 'dead-lettered';

export interface EventRunnerOptions {
  groupId: string;
  handlerFor(type: string): EventHandler | undefined;
  relevance: EventRelevance;
  /**
   * Runs `work` in one database transaction that the handlers it calls join. Given, up to
   * `eventsPerTransaction` consecutive events of a partition share a transaction; without it
   * every event is a run of its own and its handler commits by itself.
   */
  sharedTransaction?: <T>(work: () => Promise<T>) => Promise<T>;
  eventsPerTransaction: number;
  /**
   * Records, inside the open transaction, that these events are handled, and returns the ids not
   * handled before (the inbox): a redelivered or republished event then reaches no handler.
   * Absent for a service whose handlers are idempotent by their tables' natural keys.
   */
  claim?: (events: readonly EventEnvelope[]) => Promise<ReadonlySet<string>>;
  /** Attempts per event before it is dead-lettered (first try included). */
  maxAttempts: number;
  retryBaseMs: number;
  deadLetter(message: ConsumedMessage, error: unknown, attempts: number): Promise<void>;
  metrics?: MetricsRegistry;
  sleep?: (ms: number) => Promise<void>;
}

/** A message on its way to a handler, or the reason it never can. */
interface Handled {
  message: ConsumedMessage;
  event: EventEnvelope;
  handler: EventHandler;
}
type Selected = Handled | { message: ConsumedMessage; malformed: unknown };
/** The events of a run that reach their handlers, and those handled before. */
interface Claimed {
  handled: Handled[];
  duplicates: Handled[];
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Handles the messages of a partition batch in order. A message whose type has no handler is
 * skipped from its `event-type` header, unparsed; one that concerns nobody the service serves
 * (EventRelevance) is skipped before any transaction. The rest run in shared transactions of up
 * to `eventsPerTransaction` events, each stretch of events with the same handler given to it as
 * one EventRun, after `claim` has dropped those handled before. When a run fails, it rolls back and its
 * events are handled again one at a time, each in its own transaction, a retryable failure tried
 * again with backoff up to `maxAttempts` and then dead-lettered, an unreachable database waited
 * out without using attempts. A poison event costs its run a second pass and nothing more.
 */
export class EventRunner {
  private readonly log = createLogger(EventRunner.name);
  private readonly outcomes;
  private readonly runSeconds;
  private readonly runs;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: EventRunnerOptions) {
    this.sleep = options.sleep ?? defaultSleep;
    this.outcomes = options.metrics?.counter('sc_events_consumed_total', 'Events consumed, by type and outcome (handled, skipped: no handler, not-relevant: concerns nobody served, duplicate: handled before, retried, dead-lettered).');
    this.runSeconds = options.metrics?.histogram('sc_event_run_seconds', 'Time a handler takes for a run of events (one or more, in one transaction), by topic.');
    this.runs = options.metrics?.counter('sc_event_runs_total', 'Runs of events handled in one shared transaction, by outcome (committed, rolled-back: its events were then handled one at a time).');
  }

  /** Handles `batch`, resolving its offsets run by run (`onHandled` gets the next offset to read). */
  async handleBatch(batch: PartitionBatch, onHandled: (nextOffset: string) => Promise<void>): Promise<void> {
    const runLength = this.options.sharedTransaction ? Math.max(1, this.options.eventsPerTransaction) : 1;
    for (let start = 0; start < batch.messages.length; start += runLength) {
      if (!batch.isActive()) {
        return;
      }
      const chunk = batch.messages.slice(start, start + runLength);
      const selected = chunk.flatMap((message) => this.select(message));
      if (selected.length > 0) {
        const startedAt = performance.now();
        await this.handleRun(selected, batch.heartbeat);
        this.log.info({ topic: batch.topic, partition: batch.partition, events: selected.length, skipped: chunk.length - selected.length, ms: Math.round(performance.now() - startedAt) }, 'events handled');
      }
      const last = chunk[chunk.length - 1].offset;
      batch.resolve(last);
      await onHandled((BigInt(last) + 1n).toString());
      await batch.heartbeat();
    }
  }

  private select(message: ConsumedMessage): Selected[] {
    const headerType = message.headers[EventHeaders.eventType];
    if (headerType !== undefined && this.options.handlerFor(headerType) === undefined) {
      this.count(headerType, 'skipped');
      return [];
    }
    let event: EventEnvelope;
    try {
      event = parseEnvelope(message.value);
    } catch (error) {
      return [{ message, malformed: error }];
    }
    const handler = this.options.handlerFor(event.type);
    if (!handler) {
      this.count(event.type, 'skipped');
      return [];
    }
    if (!this.options.relevance.concerns(event)) {
      this.count(event.type, 'not-relevant');
      this.log.debug({ eventId: event.id, eventType: event.type }, 'event concerns nobody served; skipped');
      return [];
    }
    return [{ message, event, handler }];
  }

  private async handleRun(selected: Selected[], heartbeat: () => Promise<void>): Promise<void> {
    const run: Handled[] = [];
    for (const item of selected) {
      if ('event' in item) {
        run.push(item);
      } else {
        await this.deadLetter(item.message, item.malformed, 1);
      }
    }
    if (run.length > 1 && (await this.handleShared(run))) {
      return;
    }
    for (const item of run) {
      await this.handleAlone(item, heartbeat);
    }
  }

  /** The run in one shared transaction; false when it rolled back (or none is configured). */
  private async handleShared(run: Handled[]): Promise<boolean> {
    if (!this.options.sharedTransaction) {
      return false;
    }
    try {
      this.countOutcomes(await this.inTransaction(run));
    } catch (error) {
      this.runs?.inc({ outcome: 'rolled-back' });
      this.log.warn({ err: error, events: run.length }, 'shared transaction rolled back; handling its events one at a time');
      return false;
    }
    this.runs?.inc({ outcome: 'committed' });
    return true;
  }

  /** One event in a transaction of its own, retried or waited out as its failure says. */
  private async handleAlone(item: Handled, heartbeat: () => Promise<void>): Promise<void> {
    const { event } = item;
    // Waits for an unreachable database do not use up the event's attempts.
    for (let attempt = 1, waits = 0; ; ) {
      try {
        this.countOutcomes(await this.inTransaction([item]));
        return;
      } catch (error) {
        const decision = decideOnFailure(error);
        if (decision === 'dead-letter' || (decision === 'retry' && attempt >= this.options.maxAttempts)) {
          await this.deadLetter(item.message, error, attempt);
          return;
        }
        this.count(event.type, 'retried');
        if (decision === 'wait') {
          waits += 1;
          this.log.warn({ err: error, waits, eventId: event.id, eventType: event.type }, 'database unavailable; waiting to handle the event');
        } else {
          attempt += 1;
          this.log.warn({ err: error, attempt, eventId: event.id, eventType: event.type }, 'event handler failed; retrying');
        }
        // Waits stay well inside the 10 s session so the group does not drop this consumer.
        await this.sleep(decision === 'wait' ? backoffDelay(waits, this.options.retryBaseMs, 3000) : backoffDelay(attempt - 1, this.options.retryBaseMs));
        await heartbeat();
      }
    }
  }

  /**
   * Claims the items and hands the new ones to their handlers, each stretch of consecutive events
   * with one handler as one run, all in one transaction when one is configured.
   */
  private inTransaction(items: Handled[]): Promise<Claimed> {
    const work = async (): Promise<Claimed> => {
      const { handled, duplicates } = await this.claim(items);
      for (const stretch of stretchesByHandler(handled)) {
        await this.call(stretch);
      }
      return { handled, duplicates };
    };
    return this.options.sharedTransaction ? this.options.sharedTransaction(work) : work();
  }

  /** Splits off the events handled before (and a second copy of one in the same run). */
  private async claim(items: Handled[]): Promise<Claimed> {
    if (!this.options.claim) {
      return { handled: items, duplicates: [] };
    }
    const fresh = await this.options.claim(items.map((item) => item.event));
    const taken = new Set<string>();
    const handled: Handled[] = [];
    const duplicates: Handled[] = [];
    for (const item of items) {
      const { id } = item.event;
      (fresh.has(id) && !taken.has(id) ? handled : duplicates).push(item);
      taken.add(id);
    }
    return { handled, duplicates };
  }

  /** One call of a handler with a run of its events. */
  private async call(items: Handled[]): Promise<void> {
    const messages = new Map(items.map((item) => [item.event, item.message]));
    const run = new EventRun(
      items.map((item) => item.event),
      (event, work) => this.within(messages.get(event) as ConsumedMessage, event, work),
    );
    const stopTimer = this.runSeconds?.startTimer({ topic: items[0].message.topic });
    await items[0].handler(run);
    stopTimer?.();
  }

  /** `work` in the event's consumer span and log context. */
  private within<T>(message: ConsumedMessage, event: EventEnvelope, work: () => Promise<T>): Promise<T> {
    const parent = parseTraceparent(message.headers[EventHeaders.traceparent]);
    const attributes = { 'messaging.system': 'kafka', 'messaging.destination.name': message.topic, 'messaging.consumer.group.name': this.options.groupId };
    const logContext = { eventId: event.id, correlationId: event.correlationId };
    return withSpan(`consume ${event.type}`, { kind: SpanKind.Consumer, parent, attributes, logContext }, async () => {
      const result = await work();
      this.log.debug({ eventType: event.type }, 'event handled');
      return result;
    });
  }

  private countOutcomes({ handled, duplicates }: Claimed): void {
    for (const item of handled) {
      this.count(item.event.type, 'handled');
    }
    for (const item of duplicates) {
      this.count(item.event.type, 'duplicate');
    }
  }

  private async deadLetter(message: ConsumedMessage, error: unknown, attempts: number): Promise<void> {
    this.log.error({ err: error, topic: message.topic, partition: message.partition, offset: message.offset, attempts }, 'event dead-lettered');
    await this.options.deadLetter(message, error, attempts);
    this.count(message.headers[EventHeaders.eventType] ?? 'unknown', 'dead-lettered');
  }

  private count(type: string, outcome: EventOutcome): void {
    this.outcomes?.inc({ type, outcome });
  }
}

function stretchesByHandler(items: Handled[]): Handled[][] {
  const stretches: Handled[][] = [];
  for (const item of items) {
    const last = stretches.at(-1);
    if (last && last[0].handler === item.handler) {
      last.push(item);
    } else {
      stretches.push([item]);
    }
  }
  return stretches;
}

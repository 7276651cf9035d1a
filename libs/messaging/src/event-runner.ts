import { EventHeaders, parseEnvelope, type EventEnvelope } from '@sc/contracts';
import { SpanKind, createLogger, parseTraceparent, withSpan, type MetricsRegistry } from '@sc/observability';
import type { EventRelevance } from './event-relevance';
import { backoffDelay, decideOnFailure } from './event-failure';
import type { ConsumedMessage, PartitionBatch } from './kafka-consumer';

/** Where an event came from and how many times it has been tried. */
export interface EventAttempt {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly attempt: number;
}

export type EventHandler = (event: EventEnvelope, attempt: EventAttempt) => Promise<void>;

export type EventOutcome = 'handled' | 'skipped' | 'not-relevant' | 'retried' | 'dead-lettered';

export interface EventRunnerOptions {
  groupId: string;
  handlerFor(type: string): EventHandler | undefined;
  relevance: EventRelevance;
  /**
   * Runs `work` in one database transaction that the handlers it calls join. Given, up to
   * `eventsPerTransaction` consecutive events of a partition share a transaction; without it
   * every handler commits on its own.
   */
  sharedTransaction?: <T>(work: () => Promise<T>) => Promise<T>;
  eventsPerTransaction: number;
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

/** Thrown inside a shared transaction so it rolls back and its events are handled one by one. */
class SharedRunAborted extends Error {
  constructor(readonly reason: unknown) {
    super('an event of a shared transaction failed');
  }
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Handles the messages of a partition batch in order. A message whose type has no handler is
 * skipped from its `event-type` header, unparsed; one that concerns nobody the service serves
 * (EventRelevance) is skipped before any transaction. The rest run in shared transactions of up
 * to `eventsPerTransaction` events; when any handler of a run fails, the run rolls back and its
 * events are handled again one at a time, each in its own transaction, a retryable failure tried
 * again with backoff up to `maxAttempts` and then dead-lettered, an unreachable database waited
 * out without using attempts. A poison event costs its run a second pass and nothing more.
 */
export class EventRunner {
  private readonly log = createLogger(EventRunner.name);
  private readonly outcomes;
  private readonly handlerSeconds;
  private readonly runs;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: EventRunnerOptions) {
    this.sleep = options.sleep ?? defaultSleep;
    this.outcomes = options.metrics?.counter('sc_events_consumed_total', 'Events consumed, by type and outcome (handled, skipped: no handler, not-relevant: concerns nobody served, retried, dead-lettered).');
    this.handlerSeconds = options.metrics?.histogram('sc_event_handler_seconds', 'Handler duration per attempt, by event type.');
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
    const { sharedTransaction } = this.options;
    if (!sharedTransaction) {
      return false;
    }
    try {
      await sharedTransaction(async () => {
        for (const item of run) {
          await this.attempt(item, 1).catch((error: unknown) => {
            throw new SharedRunAborted(error);
          });
        }
      });
    } catch (error) {
      this.runs?.inc({ outcome: 'rolled-back' });
      this.log.warn({ err: error instanceof SharedRunAborted ? error.reason : error, events: run.length }, 'shared transaction rolled back; handling its events one at a time');
      return false;
    }
    this.runs?.inc({ outcome: 'committed' });
    for (const item of run) {
      this.count(item.event.type, 'handled');
    }
    return true;
  }

  /** One event in its own transaction, retried or waited out as its failure says. */
  private async handleAlone(item: Handled, heartbeat: () => Promise<void>): Promise<void> {
    const { event } = item;
    // Waits for an unreachable database do not use up the event's attempts.
    for (let attempt = 1, waits = 0; ; ) {
      try {
        await this.attempt(item, attempt);
        this.count(event.type, 'handled');
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

  /** One call of the event's handler, in a consumer span and the event's log context. */
  private attempt({ message, event, handler }: Handled, attempt: number): Promise<void> {
    const parent = parseTraceparent(message.headers[EventHeaders.traceparent]);
    const attributes = { 'messaging.system': 'kafka', 'messaging.destination.name': message.topic, 'messaging.consumer.group.name': this.options.groupId };
    const logContext = { eventId: event.id, correlationId: event.correlationId };
    return withSpan(`consume ${event.type}`, { kind: SpanKind.Consumer, parent, attributes, logContext }, async () => {
      const stopTimer = this.handlerSeconds?.startTimer({ type: event.type });
      await handler(event, { topic: message.topic, partition: message.partition, offset: message.offset, attempt });
      stopTimer?.();
      this.log.debug({ eventType: event.type, attempt }, 'event handled');
    });
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

import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { EventPattern, Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom, throwError, type Observable } from 'rxjs';
import type { Kafka } from 'kafkajs';
import { EventHeaders, isEventType, type EventEnvelope, type EventType, type TopicNames } from '@sc/contracts';
import { createLogger, type MetricsRegistry } from '@sc/observability';
import { EVERY_EVENT, type EventRelevance } from './event-relevance';
import { errorCode } from './event-failure';
import { EventRunner, type EventHandler } from './event-runner';
import { KafkaConsumer, type ConsumedMessage } from './kafka-consumer';
import { OffsetCommitter } from './offset-committer';

export interface KafkaEventsServerOptions {
  kafka: Kafka;
  topics: TopicNames;
  /** Consumer group; one per service, so each service sees every event once. */
  groupId: string;
  /** Attempts per event before it is dead-lettered (first try included). */
  maxAttempts: number;
  retryBaseMs: number;
  /** Partitions whose batches are handled at the same time; default 3. */
  partitionsConsumedConcurrently?: number;
  /** Where to count handled, skipped, retried and dead-lettered events and time handlers. */
  metrics?: MetricsRegistry;
  /** See EventRunnerOptions.sharedTransaction. */
  sharedTransaction?: <T>(work: () => Promise<T>) => Promise<T>;
  eventsPerTransaction?: number;
  /** See EventRunnerOptions.claim. */
  claim?: (events: readonly EventEnvelope[]) => Promise<ReadonlySet<string>>;
  /** Which events concern the service; the others are skipped before any transaction. Every event when absent. */
  relevance?: EventRelevance;
}

/**
 * `@HandlesEvent('encounter.discharged', 'encounter.admitted')`: an @EventPattern whose patterns the
 * compiler checks; the method's payload is an EventRun of those types. Name every type in one
 * decorator: stacked @EventPattern decorators replace each other.
 */
export function HandlesEvent(...types: [EventType, ...EventType[]]): MethodDecorator {
  // Nest registers a handler object per pattern; the method's own symbol lets the transport give
  // consecutive events of its types to it as one run.
  return EventPattern(types, { method: Symbol(types.join(',')) });
}

/**
 * Lets a handler's own error reach the transport (Nest's default RPC filter would replace it
 * with a generic object, losing the code that decides retry or dead-letter).
 */
@Catch()
export class RethrowEventErrorsFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * Handled offsets are committed at most this often per partition, and by a timer so an idle
 * partition's lag reaches zero. A crash redelivers at most this much, which the handlers absorb.
 */
const COMMIT_INTERVAL_MS = 1000;

/**
 * The Kafka transport for `@HandlesEvent` handlers: Nest's glue around three parts that know
 * nothing of Nest: the KafkaConsumer (the only user of the Kafka client), the EventRunner
 * (selection, shared transactions, retries, dead letters) and the OffsetCommitter (an offset is
 * committed only after its event's transaction). What the stock transport lacks: routing by
 * event type, commits after handling, bounded retries and a dead-letter topic, so a poison
 * message never blocks its partition.
 */
export class KafkaEventsServer extends Server implements CustomTransportStrategy {
  private readonly log = createLogger(KafkaEventsServer.name);
  private readonly consumer: KafkaConsumer;
  private readonly committer: OffsetCommitter;
  private readonly runner: EventRunner;
  /** Nest resolves a pattern by normalising it on every call; an event type maps to one handler for good. */
  private readonly handlers = new Map<string, EventHandler | undefined>();
  /** One adapter per method (Nest's handlers are per pattern), so the runner sees the types of one method as one handler. */
  private readonly adapted = new Map<unknown, EventHandler>();
  private commitTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: KafkaEventsServerOptions) {
    super();
    this.consumer = new KafkaConsumer(options.kafka, { groupId: options.groupId, partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 3 });
    this.committer = new OffsetCommitter((offsets) => this.consumer.commit(offsets), COMMIT_INTERVAL_MS);
    this.runner = new EventRunner({
      groupId: options.groupId,
      handlerFor: (type) => this.handlerFor(type),
      relevance: options.relevance ?? EVERY_EVENT,
      sharedTransaction: options.sharedTransaction,
      claim: options.claim,
      eventsPerTransaction: options.eventsPerTransaction ?? 1,
      maxAttempts: options.maxAttempts,
      retryBaseMs: options.retryBaseMs,
      deadLetter: (message, error, attempts) => this.deadLetter(message, error, attempts),
      metrics: options.metrics,
    });
  }

  /** True once the consumer joined its group and is fetching. */
  get connected(): boolean {
    return this.consumer.connected;
  }

  /** Lag (high watermark minus committed offset) per topic partition of this service's group. */
  lag(): Promise<Array<{ topic: string; partition: number; lag: number }>> {
    return this.consumer.lag(this.subscribedTopics());
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const topics = this.subscribedTopics();
      this.log.info({ topics, handlers: [...this.messageHandlers.keys()], groupId: this.options.groupId }, 'consuming');
      this.commitTimer = setInterval(() => void this.committer.commitAll().catch(() => undefined), COMMIT_INTERVAL_MS).unref();
      await this.consumer.start(
        topics,
        (batch) =>
          this.runner.handleBatch(batch, async (offset) => {
            this.committer.handled({ topic: batch.topic, partition: batch.partition, offset });
            await this.committer.commitDue();
          }),
        (assigned) => this.committer.keepOnly(assigned),
      );
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.commitTimer);
    await this.committer.commitAll().catch(() => undefined);
    // Disconnecting waits for the batch in hand; commit what it handled after it.
    await this.consumer.close();
    await this.committer.commitAll().catch(() => undefined);
  }

  on(): never {
    throw new Error('KafkaEventsServer has no events to subscribe to');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  private subscribedTopics(): string[] {
    const topics = new Set<string>();
    for (const pattern of this.messageHandlers.keys()) {
      if (!isEventType(pattern)) {
        throw new Error(`@EventPattern('${pattern}') is not an event type of the catalogue`);
      }
      topics.add(this.options.topics.forEvent(pattern));
    }
    return [...topics];
  }

  private handlerFor(type: string): EventHandler | undefined {
    if (!this.handlers.has(type)) {
      const handler = this.getHandlerByPattern(type);
      const method: unknown = handler?.extras?.method ?? handler;
      if (handler && !this.adapted.has(method)) {
        this.adapted.set(method, adapt(handler));
      }
      this.handlers.set(type, handler ? this.adapted.get(method) : undefined);
    }
    return this.handlers.get(type);
  }

  private async deadLetter(message: ConsumedMessage, error: unknown, attempts: number): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    await this.consumer.publish(this.options.topics.deadLetterForTopic(message.topic), {
      key: message.key,
      value: message.value,
      headers: {
        ...message.headers,
        [EventHeaders.deadLetterError]: reason.slice(0, 1000),
        [EventHeaders.deadLetterErrorCode]: errorCode(error),
        [EventHeaders.deadLetterGroup]: this.options.groupId,
        [EventHeaders.deadLetterAttempts]: String(attempts),
        [EventHeaders.deadLetterOriginalTopic]: message.topic,
        [EventHeaders.deadLetterOriginalPartition]: String(message.partition),
        [EventHeaders.deadLetterOriginalOffset]: message.offset,
      },
    });
  }
}

/** A Nest message handler as the runner calls it: awaited to the end, its own error thrown. */
function adapt(handler: MessageHandler): EventHandler {
  return async (run) => {
    const result: unknown = await handler(run);
    if (isObservable(result)) {
      await lastValueFrom(result, { defaultValue: undefined });
    }
  };
}

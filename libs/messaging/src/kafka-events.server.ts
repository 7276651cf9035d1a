import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { BaseRpcContext, EventPattern, Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom, throwError, type Observable } from 'rxjs';
import { Partitioners, type Consumer, type EachBatchPayload, type IHeaders, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';
import {
  EventHeaders,
  isEventType,
  parseEnvelope,
  type EventEnvelope,
  type EventType,
  type TopicNames,
} from '@sc/contracts';
import { SpanKind, createLogger, parseTraceparent, runWithLogContext, withSpan, type MetricsRegistry } from '@sc/observability';
import { GroupCommitter } from '@sc/persistence';
import type { EntityManager } from 'typeorm';
import { backoffDelay, decideOnFailure, errorCode } from './event-failure';
import type { EventRelevance } from './event-relevance';
import { claimInboxForRun } from './inbox';

export interface KafkaEventsServerOptions {
  kafka: Kafka;
  topics: TopicNames;
  /** Consumer group; one per service, so each service sees every event once. */
  groupId: string;
  /** Attempts per event before it is dead-lettered (first try included). */
  maxAttempts: number;
  retryBaseMs: number;
  /**
   * Partitions whose batches are handled at the same time; default 3. With a shared transaction
   * their runs merge into the same transactions (see transactionsInFlight).
   */
  partitionsConsumedConcurrently?: number;
  /** Where to count handled, retried and dead-lettered events and time handlers. */
  metrics?: MetricsRegistry;
  /**
   * Runs `work` in one database transaction that the handlers it calls join (UnitOfWork.run).
   * Given, consecutive events of a partition are handled in such shared transactions, up to
   * `eventsPerTransaction` at a time; without it every handler commits on its own.
   */
  sharedTransaction?: <T>(work: (manager: EntityManager) => Promise<T>) => Promise<T>;
  eventsPerTransaction?: number;
  /**
   * Shared transactions in flight at once; default 2. The runs of partitions handled at the same
   * time that wait for a free one merge into one transaction (up to eventsPerTransaction events),
   * so a live feed spread thinly over many partitions still commits many events at a time.
   */
  transactionsInFlight?: number;
  /**
   * The inbox consumer name the service's handlers claim events under (claimInbox). Given, a
   * shared transaction claims its whole run in one statement first, and the handlers' claims
   * are answered from it.
   */
  inboxConsumer?: string;
  /** Which events concern the service; the others are skipped before any transaction. Every event when absent. */
  relevance?: EventRelevance;
}

/**
 * Looks up, in a few statements, what the handlers of a run of events will each ask for (and
 * remembers it in the transaction, see rememberInTransaction): a round trip per event costs more
 * than most handlers' work. Runs in the run's shared transaction, after its inbox claim and before
 * its handlers; a failure rolls the run back and its events are handled one at a time, unprepared.
 */
export interface RunPreparer {
  prepare(manager: EntityManager, events: ReadonlyArray<EventEnvelope>): Promise<void>;
}

/** Handler context: where the event came from and how many times it has been tried. */
export class KafkaEventContext extends BaseRpcContext<[topic: string, partition: number, offset: string, attempt: number]> {
  get topic(): string {
    return this.args[0];
  }
  get partition(): number {
    return this.args[1];
  }
  get offset(): string {
    return this.args[2];
  }
  get attempt(): number {
    return this.args[3];
  }
}

/**
 * `@HandlesEvent('encounter.discharged', 'encounter.admitted')`: an @EventPattern whose patterns the
 * compiler checks. Name every type in one decorator: stacked @EventPattern decorators replace each other.
 */
export function HandlesEvent(...types: [EventType, ...EventType[]]): MethodDecorator {
  return EventPattern(types);
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

function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) {
    return undefined;
  }
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Wait before starting a consumer again after a crash kafkajs does not recover from itself. */
const CONSUMER_RESTART_MS = 2000;

/**
 * Handled offsets are committed at most this often per partition (and by a timer, so an idle
 * partition's lag reaches zero). A live feed arrives a few events per fetch: committing after
 * each would cost a Kafka request per event and service, more than handling many events. A
 * crash redelivers at most this much, which the handlers' inboxes skip.
 */
const COMMIT_INTERVAL_MS = 1000;

/** Thrown inside a shared transaction so it rolls back and its events are handled one by one. */
class SharedRunAborted extends Error {
  constructor(readonly reason: unknown) {
    super('an event of a shared transaction failed');
  }
}

interface ConsumedMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
  heartbeat(): Promise<void>;
}

/**
 * The Kafka transport for `@EventPattern` handlers, owning what the stock transport lacks:
 * events are routed by envelope type; the offset is committed only after the handler (and so
 * its database transaction) finished; a failing handler is retried with backoff a bounded
 * number of times, then the message goes to the topic's dead-letter topic with error headers
 * and the partition moves on. A poison message never blocks a partition.
 */
export class KafkaEventsServer extends Server implements CustomTransportStrategy {
  private readonly log = createLogger(KafkaEventsServer.name);
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private readonly stats = { handled: 0, retried: 0, deadLettered: 0, skipped: 0, runsRolledBack: 0 };

  private readonly outcomes;
  private readonly handlerSeconds;
  private readonly runs;
  /** Nest resolves a pattern by normalising it on every call; an event type maps to one handler for good. */
  private readonly handlerCache = new Map<string, MessageHandler | null>();
  /** The next offset to commit per topic partition, once its events are handled (and their transactions committed). */
  private readonly handledOffsets = new Map<string, { topic: string; partition: number; offset: string }>();
  private readonly lastCommitAt = new Map<string, number>();
  /** Commits run one after another, so an older offset never lands after a newer one. */
  private commits: Promise<void> = Promise.resolve();
  private commitTimer: NodeJS.Timeout | undefined;

  private readonly runPreparers: RunPreparer[] = [];
  /** Gathers the runs of partitions handled at the same time into shared transactions; each partition's events stay in order. */
  private readonly sharedRuns: GroupCommitter<ConsumedMessage, void> | undefined;

  constructor(private readonly options: KafkaEventsServerOptions) {
    super();
    if (options.sharedTransaction) {
      this.sharedRuns = new GroupCommitter(
        (run) => this.handleSharedRun(run),
        ({ topic, partition }) => ({ locks: [`${topic}\u0000${partition}`], solo: false }),
        { maxBatch: Math.max(1, options.eventsPerTransaction ?? 1), windowMs: 0, maxConcurrent: Math.max(1, options.transactionsInFlight ?? 2) },
      );
    }
    this.outcomes = options.metrics?.counter('sc_events_consumed_total', 'Events consumed, by type and outcome (handled, retried, dead-lettered, skipped).');
    this.handlerSeconds = options.metrics?.histogram('sc_event_handler_seconds', 'Handler duration per attempt, by event type.');
    this.runs = options.metrics?.counter(
      'sc_event_runs_total',
      'Runs of events handled in one shared transaction, by outcome (committed, rolled-back: its events were then handled one at a time).',
    );
  }

  /** Has `preparer` look up what each shared run's handlers need before they run (services call it at module init). */
  prepareRunsWith(preparer: RunPreparer): void {
    this.runPreparers.push(preparer);
  }

  /** Lag (high watermark minus committed offset) per topic partition of this service's group. */
  async lag(): Promise<Array<{ topic: string; partition: number; lag: number }>> {
    const topics = this.subscribedTopics();
    if (topics.length === 0) {
      return [];
    }
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const committed = await admin.fetchOffsets({ groupId: this.options.groupId, topics });
      const result: Array<{ topic: string; partition: number; lag: number }> = [];
      for (const { topic, partitions } of committed) {
        const ends = await admin.fetchTopicOffsets(topic);
        for (const end of ends) {
          const offset = partitions.find((partition) => partition.partition === end.partition)?.offset ?? '-1';
          const start = offset === '-1' ? Number(end.low) : Number(offset);
          result.push({ topic, partition: end.partition, lag: Math.max(0, Number(end.high) - start) });
        }
      }
      return result;
    } finally {
      await admin.disconnect();
    }
  }

  get counters(): Readonly<typeof this.stats> {
    return this.stats;
  }

  /** True once the consumer joined its group and is fetching. */
  connected = false;

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  private closing = false;

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.commitTimer);
    await this.commitHandled('all');
    // disconnect() waits for the batch in hand; its end commits what it handled (closing).
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    this.connected = false;
  }

  on(): never {
    throw new Error('KafkaEventsServer has no events to subscribe to');
  }

  unwrap<T>(): T {
    return [this.consumer, this.producer] as T;
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

  private async start(): Promise<void> {
    const topics = this.subscribedTopics();
    this.producer = this.options.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await this.producer.connect();
    this.log.info({ topics, handlers: [...this.messageHandlers.keys()], groupId: this.options.groupId }, 'consuming');
    if (topics.length === 0) {
      return;
    }
    // Not awaited: joining the group can take a session timeout after a crash, and the service's
    // HTTP API, timers and outbox relay must not wait for it (readiness reports the consumer).
    void this.runConsumer(topics);
  }

  /**
   * Joins the group and consumes until closed. kafkajs restarts itself after retriable crashes
   * only; a group coordinator that is still loading (a broker just started) surfaces as a
   * non-retriable crash, so any crash it does not restart from is restarted here.
   */
  private async runConsumer(topics: string[]): Promise<void> {
    if (this.closing) {
      return;
    }
    // A 10 s session (instead of kafkajs's 30 s) bounds how long a crashed instance's partitions
    // wait for the group to notice it is gone.
    const consumer = this.options.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: 10_000,
      rebalanceTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.connected = true;
      // Offsets of partitions another member now owns are that member's to commit.
      for (const [key, handled] of this.handledOffsets) {
        if (!(payload.memberAssignment[handled.topic] ?? []).includes(handled.partition)) {
          this.handledOffsets.delete(key);
        }
      }
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.connected = false;
      if (!payload.restart) {
        this.restartLater(consumer, topics);
      }
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: true });
      this.commitTimer ??= setInterval(() => void this.commitHandled('all').catch(() => undefined), COMMIT_INTERVAL_MS).unref();
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => this.consumeBatch(payload),
      });
    } catch (error) {
      this.log.warn({ err: error }, 'consumer could not start; retrying');
      this.restartLater(consumer, topics);
    }
  }

  private restartLater(consumer: Consumer, topics: string[]): void {
    if (this.closing) {
      return;
    }
    setTimeout(() => {
      void consumer
        .disconnect()
        .catch(() => undefined)
        .then(() => this.runConsumer(topics));
    }, CONSUMER_RESTART_MS).unref();
  }

  /**
   * Messages of a partition in order. With a shared transaction, runs of up to
   * `eventsPerTransaction` messages are handled in one database transaction, together with the
   * runs of other partitions that wait at the same time; if any handler in a run fails, the run rolls back and its messages are handled again one at a time, each in its
   * own transaction with retries and dead-lettering, so one poison event costs its run a second
   * pass and nothing else. The offset after the last handled message is committed at most every
   * COMMIT_INTERVAL_MS per partition (see commitHandled). A crash redelivers at most the
   * uncommitted ones, which the handlers' inboxes skip.
   */
  private async consumeBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const runLength = this.options.sharedTransaction ? Math.max(1, this.options.eventsPerTransaction ?? 1) : 1;
    for (let start = 0; start < batch.messages.length; start += runLength) {
      if (!isRunning() || isStale()) {
        break;
      }
      const slice = batch.messages.slice(start, start + runLength);
      const run = slice.filter((message) => this.isWanted(message)).map((message) => ({ topic, partition, message, heartbeat }));
      const sharedRuns = this.sharedRuns;
      if (sharedRuns) {
        await Promise.all(run.map((consumed) => sharedRuns.submit(consumed)));
      } else {
        for (const consumed of run) {
          await this.consume(consumed);
        }
      }
      const last = slice[slice.length - 1].offset;
      resolveOffset(last);
      this.handledOffsets.set(`${topic}\u0000${partition}`, { topic, partition, offset: (BigInt(last) + 1n).toString() });
      await this.commitHandled('due');
      await heartbeat();
    }
    await this.commitHandled(this.closing ? 'all' : 'due');
  }

  /**
   * Whether a message goes to a handler: its type (from the header, before any parsing) has one,
   * and the service's relevance says it concerns someone. A message that cannot be parsed is
   * wanted, so it reaches the dead-letter topic.
   */
  private isWanted(message: KafkaMessage): boolean {
    const type = headerString(message.headers, EventHeaders.eventType);
    if (type !== undefined && this.handlerFor(type) === undefined) {
      this.count(type, 'skipped');
      return false;
    }
    const relevance = this.options.relevance;
    if (!relevance) {
      return true;
    }
    let envelope: EventEnvelope;
    try {
      envelope = parseEnvelope(message.value);
    } catch {
      return true;
    }
    if (relevance.concerns(envelope)) {
      return true;
    }
    this.count(envelope.type, 'skipped');
    return false;
  }

  /**
   * Commits handled offsets: `due` those of partitions not committed for COMMIT_INTERVAL_MS,
   * `all` every one waiting (the timer, shutdown). An offset is only ever that of an event whose
   * transaction committed, so committing it late, or for a partition since given to another
   * member, can only make events be seen again, never skipped.
   */
  private commitHandled(which: 'due' | 'all'): Promise<void> {
    const run = async (): Promise<void> => {
      const now = Date.now();
      const ready = [...this.handledOffsets].filter(([key]) => which === 'all' || now - (this.lastCommitAt.get(key) ?? 0) >= COMMIT_INTERVAL_MS);
      if (ready.length === 0 || !this.consumer) {
        return;
      }
      for (const [key] of ready) {
        this.handledOffsets.delete(key);
        this.lastCommitAt.set(key, now);
      }
      try {
        await this.consumer.commitOffsets(ready.map(([, handled]) => handled));
      } catch (error) {
        // Put back what no newer offset replaced meanwhile; the next commit carries it.
        for (const [key, handled] of ready) {
          if (!this.handledOffsets.has(key)) {
            this.handledOffsets.set(key, handled);
          }
        }
        throw error;
      }
    };
    this.commits = this.commits.catch(() => undefined).then(run);
    return this.commits;
  }

  /** A run of one or more partitions' events, in their order within each partition. */
  private async handleSharedRun(run: ConsumedMessage[]): Promise<void[]> {
    if (run.length > 1) {
      await this.consumeInSharedTransaction(run);
    } else {
      await this.consume(run[0]);
    }
    return run.map(() => undefined);
  }

  private async consumeInSharedTransaction(run: ConsumedMessage[]): Promise<void> {
    const sharedTransaction = this.options.sharedTransaction;
    if (!sharedTransaction) {
      throw new Error('no shared transaction configured');
    }
    const outcomes: Array<{ type: string; outcome: 'handled' | 'skipped' }> = [];
    try {
      await sharedTransaction(async (manager) => {
        const envelopes = run.map(({ message }) => {
          try {
            return parseEnvelope(message.value);
          } catch (error) {
            throw new SharedRunAborted(error);
          }
        });
        const handled = envelopes.filter((envelope) => this.handlerFor(envelope.type) !== undefined);
        if (this.options.inboxConsumer !== undefined) {
          await claimInboxForRun(manager, this.options.inboxConsumer, handled);
        }
        for (const preparer of this.runPreparers) {
          try {
            await preparer.prepare(manager, handled);
          } catch (error) {
            throw new SharedRunAborted(error);
          }
        }
        for (const [index, consumed] of run.entries()) {
          outcomes.push(await this.inConsumerSpan(consumed, () => this.processShared(consumed, envelopes[index])));
        }
      });
    } catch (error) {
      const reason = error instanceof SharedRunAborted ? error.reason : error;
      this.stats.runsRolledBack += 1;
      this.runs?.inc({ outcome: 'rolled-back' });
      this.log.warn({ err: reason, events: run.length }, 'shared transaction rolled back; handling its events one at a time');
      for (const consumed of run) {
        await this.consume(consumed);
      }
      return;
    }
    this.runs?.inc({ outcome: 'committed' });
    for (const { type, outcome } of outcomes) {
      this.count(type, outcome);
    }
  }

  private async consume(consumed: ConsumedMessage): Promise<void> {
    await this.inConsumerSpan(consumed, () => this.process(consumed));
  }

  private inConsumerSpan<T>({ topic, message }: ConsumedMessage, work: () => Promise<T>): Promise<T> {
    const parent = parseTraceparent(headerString(message.headers, EventHeaders.traceparent));
    const eventType = headerString(message.headers, EventHeaders.eventType) ?? 'unknown';
    return withSpan(
      `consume ${eventType}`,
      { kind: SpanKind.Consumer, parent, attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.consumer.group.name': this.options.groupId } },
      work,
    );
  }

  private count(type: string, outcome: 'handled' | 'skipped' | 'retried' | 'dead-lettered'): void {
    const stat = outcome === 'dead-lettered' ? 'deadLettered' : outcome;
    this.stats[stat] += 1;
    this.outcomes?.inc({ type, outcome });
  }

  /** One attempt inside a shared transaction: any failure aborts the whole run (see consumeBatch). */
  private async processShared({ topic, partition, message }: ConsumedMessage, envelope: EventEnvelope): Promise<{ type: string; outcome: 'handled' | 'skipped' }> {
    const handler = this.handlerFor(envelope.type);
    if (!handler) {
      return { type: envelope.type, outcome: 'skipped' };
    }
    await runWithLogContext({ eventId: envelope.id, correlationId: envelope.correlationId }, async () => {
      try {
        await this.invoke(handler, envelope, new KafkaEventContext([topic, partition, message.offset, 1]));
      } catch (error) {
        throw new SharedRunAborted(error);
      }
    });
    return { type: envelope.type, outcome: 'handled' };
  }

  private handlerFor(type: string): MessageHandler | undefined {
    let handler = this.handlerCache.get(type);
    if (handler === undefined) {
      handler = this.getHandlerByPattern(type) ?? null;
      this.handlerCache.set(type, handler);
    }
    return handler ?? undefined;
  }

  private async invoke(handler: MessageHandler, envelope: EventEnvelope, context: KafkaEventContext): Promise<void> {
    const stopTimer = this.handlerSeconds?.startTimer({ type: envelope.type });
    const result: unknown = await handler(envelope, context);
    if (isObservable(result)) {
      await lastValueFrom(result, { defaultValue: undefined });
    }
    stopTimer?.();
  }

  private async process(payload: ConsumedMessage): Promise<void> {
    const { topic, partition, message } = payload;
    let envelope: EventEnvelope;
    try {
      envelope = parseEnvelope(message.value);
    } catch (error) {
      await this.deadLetter(payload, error, 1);
      return;
    }
    const handler = this.handlerFor(envelope.type);
    if (!handler) {
      this.count(envelope.type, 'skipped');
      return;
    }
    await runWithLogContext({ eventId: envelope.id, correlationId: envelope.correlationId }, async () => {
      // Waits for an unreachable database do not use up the event's attempts.
      let waits = 0;
      for (let attempt = 1; ; ) {
        try {
          await this.invoke(handler, envelope, new KafkaEventContext([topic, partition, message.offset, attempt]));
          this.count(envelope.type, 'handled');
          return;
        } catch (error) {
          const decision = decideOnFailure(error);
          if (decision === 'dead-letter' || (decision === 'retry' && attempt >= this.options.maxAttempts)) {
            await this.deadLetter(payload, error, attempt);
            return;
          }
          this.count(envelope.type, 'retried');
          if (decision === 'wait') {
            waits += 1;
            this.log.warn({ err: error, waits, eventType: envelope.type }, 'database unavailable; waiting to handle the event');
          } else {
            attempt += 1;
            this.log.warn({ err: error, attempt, eventType: envelope.type }, 'event handler failed; retrying');
          }
          // Waits stay well inside the 10 s session so the group does not drop this consumer.
          await sleep(decision === 'wait' ? backoffDelay(waits, this.options.retryBaseMs, 3000) : backoffDelay(attempt - 1, this.options.retryBaseMs));
          await payload.heartbeat();
        }
      }
    });
  }

  private async deadLetter(payload: ConsumedMessage, error: unknown, attempts: number): Promise<void> {
    const { topic, partition, message } = payload;
    const reason = error instanceof Error ? error.message : String(error);
    this.log.error({ err: error, topic, partition, offset: message.offset, attempts }, 'event dead-lettered');
    if (!this.producer) {
      throw new Error('dead-letter producer not connected');
    }
    await this.producer.send({
      topic: this.options.topics.deadLetterForTopic(topic),
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            [EventHeaders.deadLetterError]: reason.slice(0, 1000),
            [EventHeaders.deadLetterErrorCode]: errorCode(error),
            [EventHeaders.deadLetterGroup]: this.options.groupId,
            [EventHeaders.deadLetterAttempts]: String(attempts),
            [EventHeaders.deadLetterOriginalTopic]: topic,
            [EventHeaders.deadLetterOriginalPartition]: String(partition),
            [EventHeaders.deadLetterOriginalOffset]: message.offset,
          },
        },
      ],
    });
    this.count(headerString(message.headers, EventHeaders.eventType) ?? 'unknown', 'dead-lettered');
  }
}

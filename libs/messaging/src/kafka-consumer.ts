import { Partitioners, type Consumer, type EachBatchPayload, type IHeaders, type Kafka, type Producer } from 'kafkajs';
import { createLogger } from '@sc/observability';

/**
 * The only file of the transport that knows the Kafka client: everything else sees consumed
 * messages, batches and offsets as the plain types below, so replacing kafkajs is replacing this file.
 */

export type MessageHeaders = Record<string, string>;

export interface ConsumedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: MessageHeaders;
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  /** The next offset to read, as Kafka commits it. */
  readonly offset: string;
}

/** Consecutive messages of one partition, as fetched. */
export interface PartitionBatch extends TopicPartition {
  readonly messages: readonly ConsumedMessage[];
  /** False once the consumer stops or the partition was reassigned: stop handling the batch. */
  isActive(): boolean;
  heartbeat(): Promise<void>;
  /** Marks every message up to `offset` consumed, so the next fetch starts after it. */
  resolve(offset: string): void;
}

export interface KafkaConsumerOptions {
  groupId: string;
  /** Partitions whose batches are handled at the same time. */
  partitionsConsumedConcurrently: number;
}

/** Wait before starting a consumer again after a crash kafkajs does not recover from itself. */
const RESTART_MS = 2000;

function headersOf(headers: IHeaders | undefined): MessageHeaders {
  const result: MessageHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) {
      result[name] = first.toString();
    }
  }
  return result;
}

/**
 * A consumer group member that hands each fetched partition batch to `onBatch` and never
 * commits by itself, plus the producer dead letters leave through.
 */
export class KafkaConsumer {
  private readonly log = createLogger(KafkaConsumer.name);
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private closing = false;
  /** True once the consumer joined its group and is fetching. */
  connected = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: KafkaConsumerOptions,
  ) {}

  /**
   * Connects the producer and starts consuming `topics` in the background: joining the group can
   * take a session timeout after a crash, and the service must not wait for it.
   */
  async start(topics: string[], onBatch: (batch: PartitionBatch) => Promise<void>, onAssignment: (assigned: TopicPartition[]) => void): Promise<void> {
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await this.producer.connect();
    if (topics.length > 0) {
      void this.run(topics, onBatch, onAssignment);
    }
  }

  async commit(offsets: TopicPartitionOffset[]): Promise<void> {
    if (this.consumer && offsets.length > 0) {
      await this.consumer.commitOffsets(offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })));
    }
  }

  /** Produces one message, waiting for every in-sync replica. */
  async publish(topic: string, message: { key: Buffer | null; value: Buffer | null; headers: MessageHeaders }): Promise<void> {
    if (!this.producer) {
      throw new Error('producer not connected');
    }
    await this.producer.send({ topic, acks: -1, messages: [message] });
  }

  /** Lag (high watermark minus committed offset) per partition of `topics` for this group. */
  async lag(topics: string[]): Promise<Array<TopicPartition & { lag: number }>> {
    if (topics.length === 0) {
      return [];
    }
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const committed = await admin.fetchOffsets({ groupId: this.options.groupId, topics });
      const result: Array<TopicPartition & { lag: number }> = [];
      for (const { topic, partitions } of committed) {
        for (const end of await admin.fetchTopicOffsets(topic)) {
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

  /** Stops fetching; disconnect waits for the batch in hand. */
  async close(): Promise<void> {
    this.closing = true;
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    this.connected = false;
  }

  /**
   * Joins the group and consumes until closed. kafkajs restarts itself after retriable crashes
   * only; a group coordinator that is still loading (a broker just started) surfaces as a
   * non-retriable crash, so any crash it does not restart from is restarted here.
   */
  private async run(topics: string[], onBatch: (batch: PartitionBatch) => Promise<void>, onAssignment: (assigned: TopicPartition[]) => void): Promise<void> {
    if (this.closing) {
      return;
    }
    // A 10 s session (instead of kafkajs's 30 s) bounds how long a crashed instance's partitions
    // wait for the group to notice it is gone.
    const consumer = this.kafka.consumer({ groupId: this.options.groupId, allowAutoTopicCreation: false, sessionTimeout: 10_000, rebalanceTimeout: 10_000, heartbeatInterval: 1_000 });
    this.consumer = consumer;
    const restartLater = (): void => {
      if (!this.closing) {
        setTimeout(() => void consumer.disconnect().catch(() => undefined).then(() => this.run(topics, onBatch, onAssignment)), RESTART_MS).unref();
      }
    };
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.connected = true;
      onAssignment(Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition }))));
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.connected = false;
      if (!payload.restart) {
        restartLater();
      }
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => onBatch(partitionBatch(payload)),
      });
    } catch (error) {
      this.log.warn({ err: error }, 'consumer could not start; retrying');
      restartLater();
    }
  }
}

function partitionBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): PartitionBatch {
  const { topic, partition } = batch;
  return {
    topic,
    partition,
    messages: batch.messages.map((message) => ({ topic, partition, offset: message.offset, key: message.key, value: message.value, headers: headersOf(message.headers) })),
    isActive: () => isRunning() && !isStale(),
    heartbeat,
    resolve: resolveOffset,
  };
}

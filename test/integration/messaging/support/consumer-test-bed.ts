import { Module, type INestMicroservice, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Kafka } from 'kafkajs';
import type { MigrationInterface } from 'typeorm';
import { EventHeaders, TopicNames, createEnvelope, type EventEnvelope } from '@sc/contracts';
import { KafkaEventsServer, RethrowEventErrorsFilter, createKafka, deleteTopicsWithPrefix, provisionTopics, type KafkaEventsServerOptions } from '@sc/messaging';
import { UnitOfWork, openDatabase, type DataSource } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, kafkaBrokers, newRunId } from '@sc/testing';

/** A notification request to pt-1, told apart by its title and index. */
export function notificationRequest(title: string, index: number): EventEnvelope<'notification.requested'> {
  return createEnvelope(
    'notification.requested',
    { notificationId: `${title}-${index}`, recipientId: 'u1', teamId: null, title, urgency: 'routine', dueAt: null, link: '/x', itemType: 't', itemId: `${index}` },
    { source: 'test', subject: 'pt-1', occurredAt: new Date().toISOString(), correlationId: `c${index}` },
  );
}

/** Topics of their own on the real broker, a database of their own, and a consumer to start on them. */
export interface ConsumerTestBed {
  readonly prefix: string;
  readonly topics: TopicNames;
  readonly kafka: Kafka;
  readonly dataSource: DataSource;
  readonly unitOfWork: UnitOfWork;
  /** Produces `events` to their topics under one key, so they wait on one partition as a backlog (or on the partitions `partitionOf` picks). */
  produceBacklog(events: EventEnvelope[], partitionOf?: (index: number) => number): Promise<void>;
  /** Starts a KafkaEventsServer with `controller` as its handlers (stopped after the suite). */
  startConsumer(options: Omit<KafkaEventsServerOptions, 'kafka' | 'topics' | 'groupId'>, controller: Type, beforeListen?: (server: KafkaEventsServer) => void): Promise<KafkaEventsServer>;
}

/** Registers the suite's setup and teardown; the bed is ready inside tests. */
export function consumerTestBed(name: string, migration: Type<MigrationInterface>): ConsumerTestBed {
  const runId = newRunId();
  const prefix = `${runId}.`;
  const topics = new TopicNames(prefix);
  const state: { kafka?: Kafka; dataSource?: DataSource; unitOfWork?: UnitOfWork; app?: INestMicroservice } = {};
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) {
      throw new Error('the consumer test bed is used before its setup ran');
    }
    return value;
  };

  beforeAll(async () => {
    state.kafka = createKafka({ brokers: kafkaBrokers(), clientId: runId });
    await provisionTopics(state.kafka, topics);
    state.dataSource = await openDatabase({ url: databaseUrl(runId, name), serviceName: `${name}-test`, migrations: [migration], poolSize: 4 });
    state.unitOfWork = new UnitOfWork(state.dataSource);
  });

  afterAll(async () => {
    await state.app?.close();
    await state.dataSource?.destroy();
    await dropRunDatabases(runId);
    if (state.kafka) {
      await deleteTopicsWithPrefix(state.kafka, prefix);
    }
  }, 30_000);

  return {
    prefix,
    topics,
    get kafka() {
      return ready(state.kafka);
    },
    get dataSource() {
      return ready(state.dataSource);
    },
    get unitOfWork() {
      return ready(state.unitOfWork);
    },
    async produceBacklog(events, partitionOf) {
      const producer = ready(state.kafka).producer();
      await producer.connect();
      await producer.sendBatch({
        topicMessages: events.map((event, index) => ({
          topic: topics.forEvent(event.type),
          messages: [{ key: 'pt-1', partition: partitionOf?.(index), value: JSON.stringify(event), headers: { [EventHeaders.eventType]: event.type } }],
        })),
      });
      await producer.disconnect();
    },
    async startConsumer(options, controller, beforeListen) {
      const server = new KafkaEventsServer({ kafka: ready(state.kafka), topics, groupId: `${prefix}group`, ...options });
      beforeListen?.(server);
      @Module({ controllers: [controller] })
      class TestModule {}
      state.app = await NestFactory.createMicroservice(TestModule, { strategy: server, logger: false });
      state.app.useGlobalFilters(new RethrowEventErrorsFilter());
      await state.app.listen();
      return server;
    },
  };
}

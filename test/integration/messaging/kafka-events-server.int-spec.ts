import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Payload } from '@nestjs/microservices';
import type { Kafka } from 'kafkajs';
import { EventHeaders, TopicNames, createEnvelope, type EventEnvelope } from '@sc/contracts';
import {
  HandlesEvent,
  KafkaEventsServer,
  type EventRun,
  RethrowEventErrorsFilter,
  UnprocessableEventError,
  createKafka,
  deleteTopicsWithPrefix,
  provisionTopics,
  replayDeadLetters,
} from '@sc/messaging';
import { eventually, kafkaBrokers, newRunId } from '@sc/testing';

const attempts = new Map<string, number>();
const handled: string[] = [];
/** Set once the "bug" behind always-fail is fixed, before a replay. */
let fixed = false;

@Controller()
class ScriptedHandler {
  @HandlesEvent('notification.requested')
  async onRequested(@Payload() run: EventRun<EventEnvelope<'notification.requested'>>): Promise<void> {
    await run.each(async (event) => play(event));
  }
}

/** Behaviour chosen by the notification title, so one handler can play every failure mode. */
function play(event: EventEnvelope<'notification.requested'>): void {
  const count = (attempts.get(event.id) ?? 0) + 1;
  attempts.set(event.id, count);
  const mode = event.data.title;
  if (mode === 'fail-twice' && count <= 2) {
    throw new Error('transient failure');
  }
  if (mode === 'always-fail' && !fixed) {
    throw new Error('persistent failure');
  }
  if (mode === 'unprocessable') {
    throw new UnprocessableEventError('BAD_DATA', 'cannot act on this');
  }
  handled.push(event.id);
}

function request(title: string, subject = 'pt-1'): EventEnvelope<'notification.requested'> {
  return createEnvelope(
    'notification.requested',
    { notificationId: title, recipientId: 'u1', teamId: null, title, urgency: 'routine', dueAt: null, link: '/x', itemType: 't', itemId: '1' },
    { source: 'test', subject, occurredAt: new Date().toISOString(), correlationId: 'c1' },
  );
}

describe(KafkaEventsServer.name, () => {
  const runId = newRunId();
  const prefix = `${runId}.`;
  const topics = new TopicNames(prefix);
  let kafka: Kafka;
  let server: KafkaEventsServer;
  let app: INestMicroservice;

  beforeAll(async () => {
    kafka = createKafka({ brokers: kafkaBrokers(), clientId: runId });
    await provisionTopics(kafka, topics);
    server = new KafkaEventsServer({ kafka, topics, groupId: `${prefix}group`, maxAttempts: 3, retryBaseMs: 20 });
    @Module({ controllers: [ScriptedHandler] })
    class TestModule {}
    app = await NestFactory.createMicroservice(TestModule, { strategy: server, logger: false });
    app.useGlobalFilters(new RethrowEventErrorsFilter());
    await app.listen();
  });

  afterAll(async () => {
    await app?.close();
    await deleteTopicsWithPrefix(kafka, prefix);
  });

  it('retries, dead-letters poison messages with error headers, moves on and commits past them', async () => {
    const flaky = request('fail-twice');
    const poison = request('always-fail');
    const unprocessable = request('unprocessable');
    const after = request('ok');
    const producer = kafka.producer();
    await producer.connect();
    const topic = topics.of('notificationRequests');
    // One key: all on one partition, so "moves on" is about the same partition as the poison.
    await producer.send({
      topic,
      messages: [
        ...[flaky, poison, unprocessable].map((event) => ({ key: 'pt-1', value: JSON.stringify(event), headers: { [EventHeaders.eventType]: event.type } })),
        { key: 'pt-1', value: '{not json' },
        { key: 'pt-1', value: JSON.stringify(after) },
      ],
    });
    await producer.disconnect();

    await eventually(async () => (handled.includes(after.id) ? true : undefined), 30_000);
    expect(handled).toEqual([flaky.id, after.id]);
    expect(attempts.get(flaky.id)).toBe(3);
    expect(attempts.get(poison.id)).toBe(3);
    expect(attempts.get(unprocessable.id)).toBe(1);

    const deadLetters: Array<{ value: string; headers: Record<string, string> }> = [];
    const consumer = kafka.consumer({ groupId: `${prefix}dlt-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: topics.deadLetterOf('notificationRequests'), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([key, value]) => [key, String(value)]));
        deadLetters.push({ value: message.value?.toString() ?? '', headers });
      },
    });
    await eventually(async () => (deadLetters.length >= 3 ? true : undefined), 30_000);
    await consumer.disconnect();

    expect(deadLetters.map((letter) => letter.headers[EventHeaders.deadLetterAttempts])).toEqual(['3', '1', '1']);
    expect(deadLetters[0].headers[EventHeaders.deadLetterError]).toBe('persistent failure');
    expect(deadLetters[1].headers[EventHeaders.deadLetterErrorCode]).toBe('BAD_DATA');
    expect(deadLetters[2].headers[EventHeaders.deadLetterErrorCode]).toBe('InvalidEnvelopeError');
    expect(deadLetters[0].headers[EventHeaders.deadLetterOriginalTopic]).toBe(topic);
    expect(deadLetters[0].headers[EventHeaders.deadLetterGroup]).toBe(`${prefix}group`);

    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic);
    // Handled offsets are committed within about a second (COMMIT_INTERVAL_MS), not one by one.
    const committed = await eventually(async () => {
      const [offsets] = await admin.fetchOffsets({ groupId: `${prefix}group`, topics: [topic] });
      return offsets.partitions.some((partition) => partition.offset === '5') ? offsets : undefined;
    }, 10_000);
    await admin.disconnect();
    for (const partition of committed.partitions) {
      const end = ends.find((offset) => offset.partition === partition.partition);
      if (partition.offset !== '-1') {
        expect(partition.offset).toBe(end?.offset);
      }
    }
    expect(committed.partitions.some((partition) => partition.offset === '5')).toBe(true);

    // The cause is fixed: replaying this group's letters with that error code hands the event back.
    fixed = true;
    const summary = await replayDeadLetters(kafka, {
      deadLetterTopic: topics.deadLetterOf('notificationRequests'),
      group: `${prefix}group`,
      errorCode: 'Error',
      readerGroup: `${prefix}replayer`,
      idleMs: 1500,
    });
    expect(summary).toMatchObject({ read: 3, replayed: 1, skipped: 2 });
    await eventually(async () => (handled.includes(poison.id) ? true : undefined), 30_000);
  }, 90_000);
});

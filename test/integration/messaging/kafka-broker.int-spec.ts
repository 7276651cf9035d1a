import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners, logLevel, type Admin, type Consumer, type KafkaMessage } from 'kafkajs';

interface ReceivedMessage {
  offset: string;
  key: string;
  value: string;
}

const TIMEOUT_MS = 60_000;

function brokersUnderTest(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (brokers === undefined || brokers === '') {
    throw new Error('KAFKA_BROKERS is not set: test/setup/global-setup.ts should have set it');
  }
  return brokers.split(',');
}

function received(message: KafkaMessage): ReceivedMessage {
  return { offset: message.offset, key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' };
}

/**
 * Runs `consumer` with manual commits until `count` messages have arrived. `afterEach` runs
 * inside eachMessage, where a real handler would commit after its work is done.
 */
function consumeUntil(
  consumer: Consumer,
  count: number,
  afterEach: (message: KafkaMessage, partition: number) => Promise<void> = async () => undefined,
): Promise<ReceivedMessage[]> {
  const messages: ReceivedMessage[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`received ${messages.length} of ${count} messages: ${JSON.stringify(messages)}`)),
      TIMEOUT_MS / 2,
    );
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ message, partition }) => {
          messages.push(received(message));
          await afterEach(message, partition);
          if (messages.length === count) {
            clearTimeout(timer);
            resolve(messages);
          }
        },
      })
      .catch(reject);
  });
}

describe('Kafka 4.1 broker with kafkajs', () => {
  const topic = `it-kafka-broker-${randomUUID()}`;
  const groupId = `${topic}-group`;
  const kafka = new Kafka({ clientId: 'kafka-broker-int-spec', brokers: brokersUnderTest(), logLevel: logLevel.WARN });
  let admin: Admin;
  const consumers: Consumer[] = [];

  function newConsumer(): Consumer {
    // disconnect() waits for the in-flight fetch, which the broker holds for up to maxWaitTimeInMs (default 5 s).
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 250 });
    consumers.push(consumer);
    return consumer;
  }

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  }, TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all(consumers.map((consumer) => consumer.disconnect()));
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  }, TIMEOUT_MS);

  it(
    'resumes a consumer group after the manually committed offset',
    async () => {
      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
      await producer.connect();
      await producer.send({
        topic,
        acks: -1,
        messages: [
          { key: 'encounter-1', value: 'first' },
          { key: 'encounter-2', value: 'second' },
          { key: 'encounter-3', value: 'third' },
        ],
      });
      await producer.disconnect();

      const first = newConsumer();
      await first.connect();
      await first.subscribe({ topic, fromBeginning: true });
      // Only the first message counts as processed: commit the offset of the *next* one to read.
      const firstRun = await consumeUntil(first, 3, async (message, partition) => {
        if (message.offset === '0') {
          await first.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
        }
      });
      await first.disconnect();

      expect(firstRun.map(({ key, value }) => `${key}=${value}`)).toEqual([
        'encounter-1=first',
        'encounter-2=second',
        'encounter-3=third',
      ]);
      expect(await admin.fetchOffsets({ groupId, topics: [topic] })).toEqual([
        { topic, partitions: [expect.objectContaining({ partition: 0, offset: '1' })] },
      ]);

      // fromBeginning would start at offset 0 for a group without a committed offset.
      const second = newConsumer();
      await second.connect();
      await second.subscribe({ topic, fromBeginning: true });
      const secondRun = await consumeUntil(second, 2);

      expect(secondRun).toEqual([
        { offset: '1', key: 'encounter-2', value: 'second' },
        { offset: '2', key: 'encounter-3', value: 'third' },
      ]);
    },
    TIMEOUT_MS,
  );
});

import { Partitioners } from 'kafkajs';
import { TopicNames } from '@sc/contracts';
import { createKafka, deleteTopicsWithPrefix, provisionTopics } from '@sc/messaging';
import { kafkaBrokers, newRunId } from '@sc/testing';

describe(provisionTopics.name, () => {
  const runId = newRunId();
  const kafka = createKafka({ brokers: kafkaBrokers(), clientId: runId });

  afterAll(async () => {
    await deleteTopicsWithPrefix(kafka, `${runId}-`);
  });

  // A KRaft broker answers "does not host this topic-partition" for a moment after creating a
  // topic; provisioning waits that out, so what comes next (a producer, a consumer) finds leaders.
  it('leaves every topic of a fresh catalogue ready to take a message at once, round after round', async () => {
    const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      for (let round = 0; round < 5; round += 1) {
        const names = new TopicNames(`${runId}-${round}.`);
        const created = await provisionTopics(kafka, names);
        expect(created.length).toBe(names.all().length);
        await producer.sendBatch({ acks: -1, topicMessages: created.map((topic) => ({ topic, messages: [{ key: 'k', value: 'v' }] })) });
      }
    } finally {
      await producer.disconnect();
    }
  }, 120_000);
});

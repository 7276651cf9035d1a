import type { Consumer, Kafka } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import { EventHeaders, type EventEnvelope, type EventType } from '@sc/contracts';
import { eventually } from '@sc/testing';

/** Reads topics from the beginning into memory, so a test can wait for the events a service emitted. */
export class TopicRecorder {
  readonly events: EventEnvelope[] = [];
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: string[],
    private readonly groupId: string,
  ) {}

  async start(): Promise<void> {
    this.consumer = this.kafka.consumer({ groupId: this.groupId, maxWaitTimeInMs: 250 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        this.events.push(JSON.parse(message.value?.toString() ?? '{}') as EventEnvelope);
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  of<T extends EventType>(type: T, where: (event: EventEnvelope<T>) => boolean = () => true): Array<EventEnvelope<T>> {
    return this.events.filter((event): event is EventEnvelope<T> => event.type === type).filter(where);
  }

  async waitFor<T extends EventType>(type: T, where: (event: EventEnvelope<T>) => boolean = () => true, timeoutMs = 20_000): Promise<EventEnvelope<T>> {
    return eventually(async () => this.of(type, where)[0], timeoutMs);
  }
}

/** Publishes events the way a producing service's outbox relay would: keyed by subject, typed header. */
export async function publish(kafka: Kafka, topic: string, ...events: EventEnvelope[]): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: events.map((event) => ({ key: event.subject, value: JSON.stringify(event), headers: { [EventHeaders.eventType]: event.type } })),
    });
  } finally {
    await producer.disconnect();
  }
}

import { Partitioners, type IHeaders, type Kafka } from 'kafkajs';
import { EventHeaders } from '@sc/contracts';

export interface ReplayOptions {
  /** The dead-letter topic to read, e.g. care.encounters.v1.dlt. */
  deadLetterTopic: string;
  /** Only letters this consumer group gave up on (header x-dead-letter-group). */
  group?: string;
  /** Only letters whose error code matches. */
  errorCode?: string;
  dryRun?: boolean;
  /** Consumer group used to read the DLT; its committed offsets remember what was replayed. */
  readerGroup: string;
  /** Stop when no letter arrived for this long (the DLT is drained). */
  idleMs?: number;
}

export interface ReplaySummary {
  read: number;
  replayed: number;
  skipped: number;
  byErrorCode: Record<string, number>;
}

const DEAD_LETTER_HEADERS = new Set<string>([
  EventHeaders.deadLetterError,
  EventHeaders.deadLetterErrorCode,
  EventHeaders.deadLetterGroup,
  EventHeaders.deadLetterAttempts,
  EventHeaders.deadLetterOriginalTopic,
  EventHeaders.deadLetterOriginalPartition,
  EventHeaders.deadLetterOriginalOffset,
]);

const headerText = (headers: IHeaders | undefined, name: string): string | undefined => {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
};

/**
 * Sends dead-lettered events back to their original topic (same key, value and event headers),
 * after the cause was fixed. Every consumer group sees them again; those that had handled them
 * skip them through their inbox, so a replay is safe to repeat.
 */
export async function replayDeadLetters(kafka: Kafka, options: ReplayOptions): Promise<ReplaySummary> {
  const summary: ReplaySummary = { read: 0, replayed: 0, skipped: 0, byErrorCode: {} };
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: options.readerGroup, maxWaitTimeInMs: 250 });
  await Promise.all([producer.connect(), consumer.connect()]);
  let lastActivity = Date.now();
  try {
    await consumer.subscribe({ topic: options.deadLetterTopic, fromBeginning: true });
    await consumer.run({
      autoCommit: !options.dryRun,
      eachMessage: async ({ message }) => {
        lastActivity = Date.now();
        summary.read += 1;
        const code = headerText(message.headers, EventHeaders.deadLetterErrorCode) ?? 'unknown';
        summary.byErrorCode[code] = (summary.byErrorCode[code] ?? 0) + 1;
        const group = headerText(message.headers, EventHeaders.deadLetterGroup);
        const original = headerText(message.headers, EventHeaders.deadLetterOriginalTopic);
        if (!original || (options.group && group !== options.group) || (options.errorCode && code !== options.errorCode)) {
          summary.skipped += 1;
          return;
        }
        if (!options.dryRun) {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).filter(([name]) => !DEAD_LETTER_HEADERS.has(name)));
          await producer.send({ topic: original, acks: -1, messages: [{ key: message.key, value: message.value, headers }] });
        }
        summary.replayed += 1;
      },
    });
    const idleMs = options.idleMs ?? 3000;
    while (Date.now() - lastActivity < idleMs) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await Promise.all([consumer.disconnect(), producer.disconnect()]);
  }
  return summary;
}

import type { Admin, Kafka } from 'kafkajs';
import type { TopicNames } from '@sc/contracts';

/**
 * Creates every catalogue topic (and its dead-letter topic) that does not exist yet.
 * The same catalogue generates the production cluster's topic resources.
 */
export async function provisionTopics(kafka: Kafka, names: TopicNames): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = names.all().filter((topic) => !existing.has(topic.name));
    const created = missing.map((topic) => topic.name);
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((topic) => ({
          topic: topic.name,
          numPartitions: topic.partitions,
          replicationFactor: -1,
          configEntries: [
            { name: 'retention.ms', value: String(topic.retentionMs) },
            { name: 'cleanup.policy', value: topic.cleanupPolicy },
          ],
        })),
      });
      await waitUntilServed(admin, created);
    }
    return created;
  } finally {
    await admin.disconnect();
  }
}

const READY_TIMEOUT_MS = 30_000;

/**
 * Waits until every partition of `topics` answers from its leader (a ListOffsets, which needs the
 * partition's log). Right after creating a topic a KRaft broker first does not know it, then lists
 * a leader in its metadata a moment before that leader serves the partition: kafkajs's own wait
 * (`waitForLeaders`) gives up on the first answer and returns during the second, and a produce in
 * that moment fails for some partitions, so retrying it published the others twice.
 */
async function waitUntilServed(admin: Admin, topics: string[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (const topic of topics) {
    for (;;) {
      try {
        await admin.fetchTopicOffsets(topic);
        break;
      } catch (error) {
        if (Date.now() > deadline) {
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }
}

/** Deletes every topic with the given prefix (tests only). */
export async function deleteTopicsWithPrefix(kafka: Kafka, prefix: string): Promise<void> {
  if (prefix.length === 0) {
    throw new Error('refusing to delete topics without a prefix');
  }
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((name) => name.startsWith(prefix));
    if (topics.length > 0) {
      await admin.deleteTopics({ topics });
    }
  } finally {
    await admin.disconnect();
  }
}

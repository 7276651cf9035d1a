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
      await waitForLeaders(
        admin,
        missing.map((topic) => topic.name),
      );
    }
    return missing.map((topic) => topic.name);
  } finally {
    await admin.disconnect();
  }
}

const LEADERS_TIMEOUT_MS = 30_000;
const NOT_YET_KNOWN = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/**
 * Waits until every partition of `topics` has a leader. kafkajs's own wait (`waitForLeaders`)
 * gives up when the broker answers that it does not host a topic yet, which a KRaft broker does
 * for a moment after creating it, before the controller's metadata reaches it.
 */
async function waitForLeaders(admin: Admin, topics: string[]): Promise<void> {
  const deadline = Date.now() + LEADERS_TIMEOUT_MS;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      if (found.length === topics.length && found.every(({ partitions }) => partitions.length > 0 && partitions.every((partition) => partition.leader >= 0))) {
        return;
      }
    } catch (error) {
      if (!NOT_YET_KNOWN.has((error as { type?: string }).type ?? '') || Date.now() > deadline) {
        throw error;
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`topics without leaders after ${LEADERS_TIMEOUT_MS} ms: ${topics.join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
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

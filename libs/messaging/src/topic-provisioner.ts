import type { Kafka } from 'kafkajs';
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
        waitForLeaders: true,
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
    }
    return missing.map((topic) => topic.name);
  } finally {
    await admin.disconnect();
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

import type { Admin } from 'kafkajs';

export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

/**
 * What a consumer group has yet to read, per partition of the topics it has committed offsets
 * on: a partition whose lag only grows while the others drain is stalled, not slow.
 */
export async function consumerLag(admin: Admin, groupId: string, topics: readonly string[]): Promise<PartitionLag[]> {
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  const lags: PartitionLag[] = [];
  for (const { topic, partitions } of committed) {
    if (partitions.every((partition) => Number(partition.offset) < 0)) {
      continue;
    }
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((end) => [end.partition, end]));
    for (const partition of partitions) {
      const end = ends.get(partition.partition);
      if (end === undefined) {
        continue;
      }
      const from = Number(partition.offset) < 0 ? Number(end.low) : Number(partition.offset);
      lags.push({ topic, partition: partition.partition, lag: Math.max(0, Number(end.high) - from) });
    }
  }
  return lags;
}

/** "topic-suffix/partition=lag" for the partitions with lag, biggest first. */
export function describeLag(lags: readonly PartitionLag[], topicPrefix: string): string {
  const behind = lags.filter((entry) => entry.lag > 0).sort((a, b) => b.lag - a.lag);
  if (behind.length === 0) {
    return 'none';
  }
  return behind.map((entry) => `${entry.topic.slice(topicPrefix.length)}/${entry.partition}=${entry.lag}`).join(' ');
}

import type { Admin, ITopicConfig } from 'kafkajs';
import { StreamsError } from '../libs/streams/src/core/errors';
import { whileLeadersSettle } from '../libs/streams/src/kafka/while-leaders-settle';

/**
 * Creates topics and waits until each partition has a leader. kafkajs's own `waitForLeaders` gives up on "This server
 * does not host this topic-partition", which a broker at load 10+ answers for a moment after the creation (a peers
 * run failed on it after 13 minutes); here that answer is waited out as the library does for its own topics.
 */
export async function createTopicsWithLeaders(admin: Admin, topics: ITopicConfig[]): Promise<void> {
  await admin.createTopics({ topics, waitForLeaders: false });
  const names = topics.map((t) => t.topic);
  await whileLeadersSettle(async () => {
    const meta = await admin.fetchTopicMetadata({ topics: names });
    const settled = meta.topics.filter((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
    if (settled.length < names.length)
      throw new StreamsError(`topics ${names.join(', ')}: partitions without a leader yet`, { retriable: true });
  }, 30_000);
}

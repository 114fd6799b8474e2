import { kafkaLogCreator, type StreamsLogger } from '@switchboard/streams';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import type { PartitionRange } from './consumer-lag';

/**
 * The other file of the live module that speaks Kafka (besides kafka-feed.ts): the low and high watermarks of the
 * aggregator's input topics, through an admin client of its own, connected on first use.
 */
export class KafkaEndOffsets {
  private readonly admin: Admin;
  private connected: Promise<void> | undefined;

  constructor(brokers: string[], instanceId: string, kafkaLog: StreamsLogger) {
    this.admin = new Kafka({
      clientId: `dashboard-gateway-lag-${instanceId}`,
      brokers,
      connectionTimeout: 3000,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
      logLevel: logLevel.ERROR,
      logCreator: kafkaLogCreator(kafkaLog),
    }).admin();
  }

  /** Per topic its partitions' ranges; a topic that cannot be read (deleted, no leader) is left out. */
  async ranges(topics: readonly string[]): Promise<Map<string, PartitionRange[]>> {
    const out = new Map<string, PartitionRange[]>();
    // No checkpoints (no aggregator yet): no reason to hold a connection.
    if (topics.length === 0) return out;
    this.connected ??= this.admin.connect().catch((err) => {
      this.connected = undefined;
      throw err;
    });
    await this.connected;
    const existing = new Set(await this.admin.listTopics());
    await Promise.all(
      topics
        .filter((t) => existing.has(t))
        .map(async (topic) => {
          const offsets = await this.admin.fetchTopicOffsets(topic).catch(() => undefined);
          if (offsets)
            out.set(
              topic,
              offsets.map((o) => ({ partition: o.partition, low: o.low, high: o.high })),
            );
        }),
    );
    return out;
  }

  async close(): Promise<void> {
    if (this.connected) await this.connected.then(() => this.admin.disconnect()).catch(() => undefined);
    this.connected = undefined;
  }
}

import type { Admin, Kafka } from 'kafkajs';
import { StreamsError } from '../core/errors';
import type { TopicAdmin, TopicSpec } from '../streams/transport';

/** Creates topics when missing (explicitly, with our partition count) and reads committed offsets. */
export class KafkaTopicAdmin implements TopicAdmin {
  private admin: Admin | undefined;
  private connecting: Promise<Admin> | undefined;
  private readonly known = new Set<string>();

  constructor(private readonly kafka: Kafka) {}

  private connect(): Promise<Admin> {
    this.connecting ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
      return admin;
    })();
    return this.connecting;
  }

  async ensureTopic(topic: string, spec: TopicSpec): Promise<void> {
    if (this.known.has(topic)) return;
    const admin = await this.connect();
    // Ask first: creating an existing topic succeeds here but makes kafkajs log an error line.
    const existing = await admin.listTopics();
    if (existing.includes(topic)) {
      this.known.add(topic);
      return;
    }
    try {
      await admin.createTopics({
        topics: [{ topic, numPartitions: spec.partitions, replicationFactor: spec.replicationFactor }],
        waitForLeaders: true,
      });
    } catch (err) {
      // Another process creating it at the same moment is fine, and so is a broker that created it but has not
      // yet spread its metadata (UNKNOWN_TOPIC_OR_PARTITION, retriable): wait for the leaders below.
      const exists =
        /already exists/i.test(String((err as Error).message)) ||
        (err as { type?: string }).type === 'TOPIC_ALREADY_EXISTS';
      if (!exists && !(err as { retriable?: boolean }).retriable) {
        throw new StreamsError(`could not create topic "${topic}": ${(err as Error).message}`, {
          retriable: true,
          context: { topic },
          cause: err,
        });
      }
      await this.waitForLeaders(admin, topic);
    }
    this.known.add(topic);
  }

  private async waitForLeaders(admin: Admin, topic: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        const meta = await admin.fetchTopicMetadata({ topics: [topic] });
        const partitions = meta.topics[0]?.partitions ?? [];
        if (partitions.length > 0 && partitions.every((p) => p.leader >= 0)) return;
      } catch (err) {
        last = err;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new StreamsError(
      `topic "${topic}" has no leaders after ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`,
      {
        retriable: true,
        context: { topic },
        cause: last,
      },
    );
  }

  /** Partitions of the topic that the group has never committed an offset for. */
  async partitionsWithoutCommit(groupId: string, topic: string): Promise<number[]> {
    const admin = await this.connect();
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (entry?.partitions ?? []).filter((p) => p.offset === '-1').map((p) => p.partition);
  }

  /** The end (high watermark) of each partition of the topic: the offset the next message will get. */
  async endOffsets(topic: string): Promise<Map<number, bigint>> {
    const admin = await this.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  }

  /** Removes a consumer group that is no longer used (e.g. a one-off reader's). */
  async deleteGroup(groupId: string): Promise<void> {
    const admin = await this.connect();
    await admin.deleteGroups([groupId]);
  }

  /** Asks the cluster for its brokers; rejects when no broker answers within the timeout. */
  async describeCluster(timeoutMs: number): Promise<{ brokers: number; controller: number | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StreamsError(`no Kafka broker answered within ${timeoutMs} ms`, { retriable: true })),
        timeoutMs,
      );
    });
    try {
      const admin = await Promise.race([this.connect(), timeout]);
      const cluster = await Promise.race([admin.describeCluster(), timeout]);
      return { brokers: cluster.brokers.length, controller: cluster.controller };
    } catch (err) {
      // A failed connect must not poison later checks: reconnect next time.
      this.connecting = undefined;
      throw err instanceof StreamsError
        ? err
        : new StreamsError(`Kafka is not reachable: ${(err as Error).message}`, { retriable: true, cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.connecting) await (await this.connecting).disconnect();
    this.admin = undefined;
    this.connecting = undefined;
  }
}

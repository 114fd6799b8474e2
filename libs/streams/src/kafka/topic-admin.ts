import type { Admin, Kafka } from 'kafkajs';
import { StreamsError } from '../core/errors';
import type { ConsumerGroupSummary, OffsetRange, TopicAdmin, TopicSpec } from '../port';
import { type AccessFailures, saslRefusal } from './connection';
import { whileLeadersSettle } from './while-leaders-settle';

/** The port's admin over kafkajs: creates topics when missing (explicitly, with our partition count), reads offsets. */
export class KafkaTopicAdmin implements TopicAdmin {
  private admin: Admin | undefined;
  private connecting: Promise<Admin> | undefined;
  private readonly known = new Set<string>();

  constructor(
    private readonly kafka: Kafka,
    /** TLS failures of the client's sockets: a connection check fails with them at once (describeCluster). */
    private readonly failures?: AccessFailures,
  ) {}

  private connect(): Promise<Admin> {
    this.connecting ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
      return admin;
    })().catch((err) => {
      // A failed connect (the broker away) must not poison later calls: connect again next time.
      this.connecting = undefined;
      throw err;
    });
    return this.connecting;
  }

  async ensureTopic(topic: string, spec: TopicSpec): Promise<void> {
    if (this.known.has(topic)) return;
    const admin = await this.connect();
    // Ask first: creating an existing topic succeeds here but makes kafkajs log an error line.
    const existing = await admin.listTopics();
    if (existing.includes(topic)) {
      // Another process may have created it a moment ago: until the broker announces its leaders, reading its
      // offsets is refused ("This server does not host this topic-partition").
      await this.waitForLeaders(admin, topic);
      this.known.add(topic);
      return;
    }
    try {
      await admin.createTopics({
        topics: [
          {
            topic,
            numPartitions: spec.partitions,
            replicationFactor: spec.replicationFactor,
            ...(spec.config && {
              configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
            }),
          },
        ],
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

  /**
   * Forgets the topic, and the kafkajs admin with it: kafkajs keeps every topic it was asked about in each metadata
   * request of that admin, and once one is deleted every request fails (UNKNOWN_TOPIC_OR_PARTITION), creating it
   * again included. The next call connects a fresh admin.
   */
  forget(topic: string): void {
    this.known.delete(topic);
    const old = this.connecting;
    this.connecting = undefined;
    this.admin = undefined;
    old?.then((admin) => admin.disconnect()).catch(() => undefined);
  }

  private async waitForLeaders(admin: Admin, topic: string, timeoutMs = 15_000): Promise<void> {
    try {
      await whileLeadersSettle(async () => {
        const meta = await admin.fetchTopicMetadata({ topics: [topic] });
        const partitions = meta.topics[0]?.partitions ?? [];
        if (partitions.length === 0 || partitions.some((p) => p.leader < 0)) {
          throw new StreamsError(`topic "${topic}" has partitions without a leader`, { retriable: true });
        }
      }, timeoutMs);
    } catch (err) {
      throw new StreamsError(`topic "${topic}" has no leaders after ${timeoutMs} ms: ${(err as Error).message}`, {
        retriable: true,
        context: { topic },
        cause: err,
      });
    }
  }

  /** Partitions of the topic that the group has never committed an offset for. */
  async partitionsWithoutCommit(groupId: string, topic: string): Promise<number[]> {
    const admin = await this.connect();
    const [entry] = await whileLeadersSettle(() => admin.fetchOffsets({ groupId, topics: [topic] }));
    return (entry?.partitions ?? []).filter((p) => p.offset === '-1').map((p) => p.partition);
  }

  /** Whether the topic exists (asks the cluster; does not create it). */
  async topicExists(topic: string): Promise<boolean> {
    const admin = await this.connect();
    return (await admin.listTopics()).includes(topic);
  }

  /** The first and the end offset of each partition: the records a reader from the beginning gets are [start, end). */
  async offsetRanges(topic: string): Promise<Map<number, OffsetRange>> {
    const admin = await this.connect();
    const offsets = await this.readOffsetsOfEveryPartition(admin, topic, () => admin.fetchTopicOffsets(topic));
    return new Map(offsets.map((o) => [o.partition, { start: BigInt(o.low), end: BigInt(o.high) }]));
  }

  /** Per partition, the first offset at or after the timestamp (kafkajs gives the end offset where none is). */
  async offsetsAtTime(topic: string, timestamp: number): Promise<Map<number, bigint>> {
    const admin = await this.connect();
    const offsets = await this.readOffsetsOfEveryPartition(admin, topic, () =>
      admin.fetchTopicOffsetsByTimestamp(topic, timestamp),
    );
    return new Map(offsets.map((o) => [o.partition, BigInt(o.offset)]));
  }

  /**
   * kafkajs's offset reads ask each partition's leader as its metadata knows it, and leave out a partition whose
   * leader it does not know at that moment; when it knows none of one of its two reads, it fails with a TypeError
   * (`Cannot destructure property 'partitions'`, seen in CI on a member's assignment). Both are leaders settling,
   * so both are read again until every partition of the topic answered: a partial answer would make a caller take
   * a missing partition for an empty one.
   */
  private readOffsetsOfEveryPartition<T extends { partition: number }>(
    admin: Admin,
    topic: string,
    read: () => Promise<T[]>,
  ): Promise<T[]> {
    return whileLeadersSettle(async () => {
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      const expected = meta.topics[0]?.partitions.length ?? 0;
      const offsets = await read().catch((err: unknown) => {
        throw offsetReadOfMovingLeaders(topic, err) ?? err;
      });
      return everyPartitionAnswered(topic, expected, offsets);
    });
  }

  /** The consumer groups whose id starts with `prefix`, with their state and how many members they have now. */
  async describeGroupsStartingWith(prefix: string): Promise<ConsumerGroupSummary[]> {
    const admin = await this.connect();
    const ids = (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix));
    if (ids.length === 0) return [];
    const described = await admin.describeGroups(ids);
    return described.groups
      .map((g) => ({ groupId: g.groupId, state: g.state, members: g.members.length }))
      .sort((a, b) => a.groupId.localeCompare(b.groupId));
  }

  /**
   * Removes consumer groups (their committed offsets). A group that no longer exists counts as removed; one
   * that has members again is refused by the broker (NON_EMPTY_GROUP) and reported here.
   */
  async deleteGroups(groupIds: readonly string[]): Promise<void> {
    if (groupIds.length === 0) return;
    const admin = await this.connect();
    try {
      await admin.deleteGroups([...groupIds]);
    } catch (err) {
      const failed = ((err as { groups?: Array<{ groupId: string; error?: { type?: string } }> }).groups ?? []).filter(
        (g) => g.error?.type !== 'GROUP_ID_NOT_FOUND',
      );
      if ((err as { groups?: unknown }).groups && failed.length === 0) return;
      throw new StreamsError(
        `could not delete consumer groups ${failed.map((g) => `${g.groupId} (${g.error?.type ?? 'error'})`).join(', ') || groupIds.join(', ')}: ${(err as Error).message}`,
        { retriable: true, context: { groups: failed.map((g) => g.groupId) }, cause: err },
      );
    }
  }

  /**
   * Asks the cluster for its brokers; rejects when no broker answers within the timeout. A refusal (SASL
   * credentials, TLS) rejects at once with a StreamsAccessError, not retriable, instead of waiting out retries.
   */
  async describeCluster(timeoutMs: number): Promise<{ brokers: number; controller: number | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            this.failures?.last ??
              new StreamsError(`no Kafka broker answered within ${timeoutMs} ms`, { retriable: true }),
          ),
        timeoutMs,
      );
    });
    const refused = this.failures?.next();
    try {
      const stops = [timeout, ...(refused ? [refused.failed] : [])];
      const admin = await Promise.race([this.connect(), ...stops]);
      const cluster = await Promise.race([admin.describeCluster(), ...stops]);
      if (this.failures) this.failures.last = undefined;
      return { brokers: cluster.brokers.length, controller: cluster.controller };
    } catch (err) {
      // A failed connect must not poison later checks: reconnect next time.
      this.connecting = undefined;
      if (err instanceof StreamsError) throw err;
      throw (
        saslRefusal(err) ??
        new StreamsError(`Kafka is not reachable: ${(err as Error).message}`, { retriable: true, cause: err })
      );
    } finally {
      clearTimeout(timer);
      refused?.stop();
    }
  }

  async close(): Promise<void> {
    if (this.connecting) await (await this.connecting).disconnect();
    this.admin = undefined;
    this.connecting = undefined;
  }
}

/** The offsets when they name each of the topic's `expected` partitions; a retriable error while leaders move. */
export function everyPartitionAnswered<T extends { partition: number }>(
  topic: string,
  expected: number,
  offsets: T[],
): T[] {
  const answered = new Set(offsets.map((o) => o.partition)).size;
  if (expected > 0 && answered >= expected) return offsets;
  throw new StreamsError(
    `offsets of topic "${topic}" came for ${answered} of ${expected} partitions: its leaders are moving`,
    { retriable: true, context: { topic, answered, expected } },
  );
}

/** kafkajs's TypeError from an offset read that no leader answered, as the retriable error it stands for. */
export function offsetReadOfMovingLeaders(topic: string, err: unknown): StreamsError | undefined {
  const e = err as { name?: string; message?: string; cause?: { name?: string } } | undefined;
  if (e?.name !== 'TypeError' && e?.cause?.name !== 'TypeError') return undefined;
  if (!/Cannot (destructure|read properties)/.test(String(e?.message))) return undefined;
  return new StreamsError(`offsets of topic "${topic}" came from no leader: its leaders are moving`, {
    retriable: true,
    context: { topic },
    cause: err,
  });
}

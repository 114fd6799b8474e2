import { StreamsConfigError, StreamsTopicMissingError } from './core/errors';
import { consoleWarnLogger, type StreamsLogger } from './core/logger';
import { kafkajsPort } from './kafka';
import type { ServiceLifecycle } from './lifecycle/service-lifecycle';
import { ServiceStatusPublisher, type ServiceStatusPublisherOptions } from './lifecycle/service-status-publisher';
import type {
  ConsumedRecord,
  ConsumerGroupSummary,
  KafkaPort,
  KafkaPortFactory,
  KafkaSecurityOptions,
  OffsetRange,
  PartitionReader,
  TopicAdmin,
  TopicSpec,
} from './port';
import { groupByTopic, OutboxRelay, type OutboxRelayOptions } from './postgres/outbox-relay';
import { StreamProcessor, type StreamProcessorOptions } from './processor/stream-processor';
import type { ConsumedMessage } from './processor/topology';
import { resolveConsumerOptions, type TopicConsumerOptions } from './streams/consumer-options';
import { PublishQueue } from './streams/publish-queue';
import { TopicConsumer } from './streams/topic-consumer';
import { TopicProducer } from './streams/topic-producer';

/**
 * What the client does with a topic it needs and does not find: `create` it (with `defaultPartitions` and
 * `replicationFactor`, or the topic's own spec), or `verify` only, failing with a StreamsTopicMissingError that
 * names it (clusters that forbid clients to create topics: create them beforehand from a plan).
 */
export type TopicPolicy = 'create' | 'verify';

export interface StreamingClientOptions extends KafkaSecurityOptions {
  brokers: string[];
  clientId: string;
  /** Default `create`. */
  topics?: TopicPolicy;
  logger?: StreamsLogger;
  /** Partitions of topics this client creates (default 2). */
  defaultPartitions?: number;
  /** Replication factor of topics this client creates (default 1; 3 in production). */
  replicationFactor?: number;
  /** How long a publish waits for the acknowledgement of all in-sync replicas (default 30 s). */
  ackTimeoutMs?: number;
  /** Connection and request retries before a call fails (default 5). */
  retries?: number;
  /** The Kafka client adapter (default `kafkajsPort`): any implementation of the port in `src/port`. */
  kafka?: KafkaPortFactory;
}

const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'];

/** TLS and SASL options that cannot work, refused at construction (the message never holds the password). */
function checkSecurity({ ssl, sasl }: KafkaSecurityOptions): void {
  if (ssl !== undefined && typeof ssl !== 'boolean' && (typeof ssl !== 'object' || ssl === null))
    throw new StreamsConfigError('ssl must be true, false or an object of TLS options ({ ca, cert, key })');
  if (ssl && typeof ssl === 'object' && (ssl.cert === undefined) !== (ssl.key === undefined))
    throw new StreamsConfigError(
      'ssl.cert and ssl.key go together: a client certificate needs its key (give both, or neither)',
    );
  if (sasl === undefined) return;
  if (!SASL_MECHANISMS.includes(sasl?.mechanism))
    throw new StreamsConfigError(
      `sasl.mechanism must be one of ${SASL_MECHANISMS.join(', ')}; got ${JSON.stringify(sasl?.mechanism)}`,
    );
  if (!sasl.username) throw new StreamsConfigError('sasl.username is required with sasl');
  if (!sasl.password) throw new StreamsConfigError('sasl.password is required with sasl');
}

/**
 * The port with topic creation replaced by a check (topics: 'verify'): every place that would create a topic
 * (producers, consumers, processors, relays, the status publisher) finds it or fails naming it.
 */
function verifyingTopics(port: KafkaPort): KafkaPort {
  const known = new Set<string>();
  const admin: TopicAdmin = Object.create(port.admin, {
    ensureTopic: {
      value: async (topic: string): Promise<void> => {
        if (known.has(topic)) return;
        if (!(await port.admin.topicExists(topic))) {
          throw new StreamsTopicMissingError(
            `topic "${topic}" does not exist and this client only verifies topics (topics: "verify"): create it first`,
            { context: { topic } },
          );
        }
        known.add(topic);
      },
    },
  });
  return {
    admin,
    sender: port.sender,
    groupMember: (options, hooks) => port.groupMember(options, hooks),
    partitionReader: (options) => port.partitionReader(options),
  };
}

/** Where a partition reader starts in each partition of a topic: a time (epoch ms), an end, or given offsets. */
export type ReadFrom = { timestamp: number } | 'beginning' | 'end' | ReadonlyMap<number, bigint>;

export interface ReadPartitionsOptions {
  /** Names the reader (unique per reader: e.g. `<service>.<instance>.<random>`). */
  name: string;
  topics: readonly { topic: string; from: ReadFrom }[];
  /** A batch of one partition, in offset order; the partition's next batch waits for it. */
  onBatch(topic: string, partition: number, records: ConsumedRecord[]): Promise<void> | void;
  /** How long a fetch waits for new records (default 1000 ms). */
  maxWaitMs?: number;
  /**
   * The reader stopped by itself (Kafka away past the client's retries, a batch that kept failing) and reads nothing
   * more; it never restarts itself. Close it and read again, `from` the positions reached, to go on.
   */
  onFailed?(error: Error): void;
}

/** A running reader of every partition of some topics. */
export interface PartitionFeed {
  /** Per topic, per partition: where reading started and where the log ended when it did. */
  readonly ranges: ReadonlyMap<string, ReadonlyMap<number, OffsetRange>>;
  /** Resolves once every partition was sought to its start (its first batches follow). */
  readonly positioned: Promise<void>;
  close(): Promise<void>;
}

/**
 * The entry point: producers and consumers of per-entity streams on Kafka topics. One client shares one
 * idempotent producer, so everything its streams publish in one tick leaves in one produce request.
 * The library never reads the environment: every option is passed here.
 */
export class StreamingClient {
  private readonly kafka: KafkaPort;
  private readonly queue: PublishQueue;
  private readonly logger: StreamsLogger;
  private readonly spec: TopicSpec;
  private readonly consumers = new Set<TopicConsumer<unknown>>();
  private readonly processors = new Set<StreamProcessor<unknown>>();
  private readonly relays = new Set<OutboxRelay>();
  private readonly statusPublishers = new Set<ServiceStatusPublisher>();
  private readonly readers = new Set<PartitionReader>();
  private closing: Promise<void> | undefined;

  constructor(readonly options: StreamingClientOptions) {
    if (
      !Array.isArray(options?.brokers) ||
      options.brokers.length === 0 ||
      options.brokers.some((b) => !/^[^:\s]+:\d+$/.test(b))
    ) {
      throw new StreamsConfigError(
        `brokers must be a non-empty list of "host:port"; got ${JSON.stringify(options?.brokers)}`,
      );
    }
    if (!options.clientId)
      throw new StreamsConfigError('clientId is required: name the service, e.g. { clientId: "ingest" }');
    this.spec = { partitions: options.defaultPartitions ?? 2, replicationFactor: options.replicationFactor ?? 1 };
    if (!(this.spec.partitions >= 1))
      throw new StreamsConfigError(`defaultPartitions must be ≥ 1; got ${this.spec.partitions}`);
    checkSecurity(options);
    if (options.topics !== undefined && options.topics !== 'create' && options.topics !== 'verify')
      throw new StreamsConfigError(`topics must be "create" or "verify"; got ${JSON.stringify(options.topics)}`);
    this.logger = options.logger ?? consoleWarnLogger;
    const port = (options.kafka ?? kafkajsPort)({
      brokers: options.brokers,
      clientId: options.clientId,
      logger: this.logger,
      retries: options.retries,
      ackTimeoutMs: options.ackTimeoutMs,
      ssl: options.ssl,
      sasl: options.sasl,
    });
    this.kafka = options.topics === 'verify' ? verifyingTopics(port) : port;
    this.queue = new PublishQueue(this.kafka.sender);
  }

  private get admin() {
    return this.kafka.admin;
  }

  private get sender() {
    return this.kafka.sender;
  }

  /** Creates the topic when missing, then returns its producer. */
  async getTopicProducer(topic: string, spec: Partial<TopicSpec> = {}): Promise<TopicProducer> {
    await this.admin.ensureTopic(topic, { ...this.spec, ...spec });
    return new TopicProducer(topic, this.queue);
  }

  /** A consumer of the topic in a consumer group; call subscribe() after registering handlers. */
  async getTopicConsumer<T = Record<string, number | string>>(
    topic: string,
    options: TopicConsumerOptions<T>,
    spec: Partial<TopicSpec> = {},
  ): Promise<TopicConsumer<T>> {
    const resolved = resolveConsumerOptions(topic, options);
    const consumer = new TopicConsumer<T>(topic, resolved, this.kafka, { ...this.spec, ...spec }, this.logger);
    this.consumers.add(consumer as TopicConsumer<unknown>);
    return consumer;
  }

  /** A processor of the topic: a topology with exactly-once results, state and offsets in Postgres. */
  getStreamProcessor<R, M = ConsumedMessage>(
    topic: string,
    options: StreamProcessorOptions<R, M>,
    spec: Partial<TopicSpec> = {},
  ): StreamProcessor<R, M> {
    const processor = new StreamProcessor<R, M>(topic, options, this.kafka, { ...this.spec, ...spec }, this.logger);
    this.processors.add(processor as StreamProcessor<unknown>);
    return processor;
  }

  /**
   * A relay that publishes committed outbox rows (a processor's update events, repartition records, dead
   * letters) through this client's producer, creating their topics when missing. Call start(); close()
   * stops it after the processors.
   */
  createOutboxRelay(options: Omit<OutboxRelayOptions, 'send'>): OutboxRelay {
    const relay = new OutboxRelay({
      logger: this.logger,
      ...options,
      send: async (batch) => {
        const groups = groupByTopic(batch);
        for (const g of groups) await this.admin.ensureTopic(g.topic, this.spec);
        await this.sender.send(groups);
      },
    });
    this.relays.add(relay);
    return relay;
  }

  /**
   * A publisher of the instance's status to the compacted `service.status` topic (created compacted when
   * missing), through this client's idempotent producer. Call start(); close() stops it (after the processors
   * and relays, before the producer closes) without publishing anything new.
   */
  createServiceStatusPublisher(
    lifecycle: ServiceLifecycle,
    options: ServiceStatusPublisherOptions = {},
  ): ServiceStatusPublisher {
    const publisher = new ServiceStatusPublisher(lifecycle, this.sender, this.admin, this.spec, {
      logger: this.logger,
      ...options,
    });
    this.statusPublishers.add(publisher);
    return publisher;
  }

  /** The end (high watermark) of each partition: where the next message of the topic will be written. */
  async endOffsets(topic: string): Promise<Map<number, bigint>> {
    const ranges = await this.admin.offsetRanges(topic);
    return new Map([...ranges].map(([p, r]) => [p, r.end]));
  }

  /** Removes a consumer group that is no longer used (one-off readers such as `switchboard verify`). */
  deleteConsumerGroup(groupId: string): Promise<void> {
    return this.admin.deleteGroups([groupId]);
  }

  /** The first and the end offset of each partition of the topic (what a reader from the beginning gets). */
  offsetRanges(topic: string): Promise<Map<number, OffsetRange>> {
    return this.admin.offsetRanges(topic);
  }

  /**
   * The offset ranges of several topics; a topic that does not exist or cannot be read now (no leader) is left out
   * rather than failing the others. Kafka away: rejects.
   */
  async offsetRangesOf(topics: readonly string[]): Promise<Map<string, Map<number, OffsetRange>>> {
    const out = new Map<string, Map<number, OffsetRange>>();
    if (topics.length === 0) return out;
    const existing = await Promise.all(topics.map(async (t) => ((await this.admin.topicExists(t)) ? t : undefined)));
    await Promise.all(
      existing.map(async (topic) => {
        if (topic === undefined) return;
        const ranges = await this.admin.offsetRanges(topic).catch(() => undefined);
        if (ranges) out.set(topic, ranges);
      }),
    );
    return out;
  }

  /**
   * Reads every partition of the topics, in no shared consumer group: each reader gets all records, from where
   * `from` says (a time: the first record at or after it; nothing there: the end). The start offsets are fixed
   * before this resolves; the reader commits nothing others see and is closed with the client (or `close()`).
   */
  async readPartitions(options: ReadPartitionsOptions): Promise<PartitionFeed> {
    const start = new Map<string, Map<number, bigint>>();
    const ranges = new Map<string, Map<number, OffsetRange>>();
    for (const { topic, from } of options.topics) {
      const log = await this.admin.offsetRanges(topic);
      const at =
        typeof from !== 'object'
          ? undefined
          : 'timestamp' in from
            ? await this.admin.offsetsAtTime(topic, from.timestamp)
            : from;
      const starts = new Map<number, bigint>();
      const topicRanges = new Map<number, OffsetRange>();
      for (const [partition, r] of log) {
        const first = from === 'beginning' ? r.start : from === 'end' ? r.end : insideLog(at?.get(partition), r);
        starts.set(partition, first);
        topicRanges.set(partition, { start: first, end: r.end });
      }
      start.set(topic, starts);
      ranges.set(topic, topicRanges);
    }
    const reader = this.kafka.partitionReader({
      name: options.name,
      topics: options.topics.map((t) => t.topic),
      start,
      onBatch: options.onBatch,
      maxWaitMs: options.maxWaitMs,
      onFailed: (error) => {
        // The reader may have failed because a topic went away: whoever ensures it next asks the cluster.
        for (const { topic } of options.topics) this.admin.forget?.(topic);
        options.onFailed?.(error);
      },
    });
    this.readers.add(reader);
    const close = async () => {
      this.readers.delete(reader);
      await reader.close();
    };
    try {
      await reader.start();
    } catch (err) {
      await close().catch(() => undefined);
      throw err;
    }
    return { ranges, positioned: reader.positioned, close };
  }

  /** Whether the topic exists; unlike the producers and processors, this never creates it. */
  topicExists(topic: string): Promise<boolean> {
    return this.admin.topicExists(topic);
  }

  /** The consumer groups whose id starts with `prefix`, with their state and live member count (sorted by id). */
  describeConsumerGroups(prefix: string): Promise<ConsumerGroupSummary[]> {
    return this.admin.describeGroupsStartingWith(prefix);
  }

  /** Removes consumer groups and their committed offsets; refused by the broker while a group has members. */
  deleteConsumerGroups(groupIds: readonly string[]): Promise<void> {
    return this.admin.deleteGroups(groupIds);
  }

  /** Creates topics up front (e.g. at service start), with this client's defaults unless given. */
  async ensureTopics(topics: string[], spec: Partial<TopicSpec> = {}): Promise<void> {
    for (const t of topics) await this.admin.ensureTopic(t, { ...this.spec, ...spec });
  }

  /** For readiness probes: resolves with the cluster's broker count, rejects when Kafka does not answer in time. */
  checkConnection(timeoutMs = 3000): Promise<{ brokers: number; controller: number | null }> {
    return this.admin.describeCluster(timeoutMs);
  }

  /**
   * Waits for everything published so far, closes consumers (open streams end Terminated), disconnects. A second
   * call waits for the first (an app may close the client in its own order before the Nest module does).
   */
  close(): Promise<void> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  private async closeAll(): Promise<void> {
    await Promise.allSettled([...this.readers].map((r) => r.close()));
    await Promise.allSettled([...this.consumers].map((c) => c.close()));
    await Promise.allSettled([...this.processors].map((p) => p.close()));
    await Promise.allSettled([...this.relays].map((r) => r.stop()));
    await Promise.allSettled([...this.statusPublishers].map((p) => p.stop()));
    await this.queue.drain();
    await this.sender.close();
    await this.admin.close();
  }
}

/** A given start offset kept inside the log (a topic deleted and created again is shorter); none given: the end. */
function insideLog(offset: bigint | undefined, log: OffsetRange): bigint {
  if (offset === undefined || offset > log.end) return log.end;
  return offset < log.start ? log.start : offset;
}

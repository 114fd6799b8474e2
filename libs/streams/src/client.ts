import type { Kafka } from 'kafkajs';
import { StreamsConfigError } from './core/errors';
import { consoleWarnLogger, type StreamsLogger } from './core/logger';
import { createKafka } from './kafka/connection';
import { KafkaMessageSender } from './kafka/kafka-sender';
import { type ConsumerGroupSummary, KafkaTopicAdmin } from './kafka/topic-admin';
import { TopicConsumer } from './kafka/topic-consumer';
import type { ServiceLifecycle } from './lifecycle/service-lifecycle';
import { ServiceStatusPublisher, type ServiceStatusPublisherOptions } from './lifecycle/service-status-publisher';
import { groupByTopic, OutboxRelay, type OutboxRelayOptions } from './postgres/outbox-relay';
import { StreamProcessor, type StreamProcessorOptions } from './processor/stream-processor';
import type { ConsumedMessage } from './processor/topology';
import { resolveConsumerOptions, type TopicConsumerOptions } from './streams/consumer-options';
import { PublishQueue } from './streams/publish-queue';
import { TopicProducer } from './streams/topic-producer';
import type { TopicSpec } from './streams/transport';

export interface StreamingClientOptions {
  brokers: string[];
  clientId: string;
  logger?: StreamsLogger;
  /** Partitions of topics this client creates (default 2). */
  defaultPartitions?: number;
  /** Replication factor of topics this client creates (default 1; 3 in production). */
  replicationFactor?: number;
  /** How long a publish waits for the acknowledgement of all in-sync replicas (default 30 s). */
  ackTimeoutMs?: number;
  /** Connection and request retries before a call fails (default 5). */
  retries?: number;
}

/**
 * The entry point: producers and consumers of per-entity streams on Kafka topics. One client shares one
 * idempotent producer, so everything its streams publish in one tick leaves in one produce request.
 * The library never reads the environment: every option is passed here.
 */
export class StreamingClient {
  private readonly kafka: Kafka;
  private readonly admin: KafkaTopicAdmin;
  private readonly sender: KafkaMessageSender;
  private readonly queue: PublishQueue;
  private readonly logger: StreamsLogger;
  private readonly spec: TopicSpec;
  private readonly consumers = new Set<TopicConsumer<unknown>>();
  private readonly processors = new Set<StreamProcessor<unknown>>();
  private readonly relays = new Set<OutboxRelay>();
  private readonly statusPublishers = new Set<ServiceStatusPublisher>();

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
    this.logger = options.logger ?? consoleWarnLogger;
    this.kafka = createKafka({
      brokers: options.brokers,
      clientId: options.clientId,
      logger: this.logger,
      retries: options.retries,
    });
    this.admin = new KafkaTopicAdmin(this.kafka);
    this.sender = new KafkaMessageSender(this.kafka, { ackTimeoutMs: options.ackTimeoutMs });
    this.queue = new PublishQueue(this.sender);
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
    const consumer = new TopicConsumer<T>(
      topic,
      resolved,
      this.kafka,
      this.admin,
      this.sender,
      { ...this.spec, ...spec },
      this.logger,
    );
    this.consumers.add(consumer as TopicConsumer<unknown>);
    return consumer;
  }

  /** A processor of the topic: a topology with exactly-once results, state and offsets in Postgres. */
  getStreamProcessor<R, M = ConsumedMessage>(
    topic: string,
    options: StreamProcessorOptions<R, M>,
    spec: Partial<TopicSpec> = {},
  ): StreamProcessor<R, M> {
    const processor = new StreamProcessor<R, M>(
      topic,
      options,
      this.kafka,
      this.admin,
      { ...this.spec, ...spec },
      this.logger,
    );
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
  endOffsets(topic: string): Promise<Map<number, bigint>> {
    return this.admin.endOffsets(topic);
  }

  /** Removes a consumer group that is no longer used (one-off readers such as `switchboard verify`). */
  deleteConsumerGroup(groupId: string): Promise<void> {
    return this.admin.deleteGroup(groupId);
  }

  /** The first and the end offset of each partition of the topic (what a reader from the beginning gets). */
  offsetRanges(topic: string): Promise<Map<number, { start: bigint; end: bigint }>> {
    return this.admin.offsetRanges(topic);
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

  /** Waits for everything published so far, closes consumers (open streams end Terminated), disconnects. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.consumers].map((c) => c.close()));
    await Promise.allSettled([...this.processors].map((p) => p.close()));
    await Promise.allSettled([...this.relays].map((r) => r.stop()));
    await Promise.allSettled([...this.statusPublishers].map((p) => p.stop()));
    await this.queue.drain();
    await this.sender.close();
    await this.admin.close();
  }
}

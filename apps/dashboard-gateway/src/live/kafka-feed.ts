import { randomBytes } from 'node:crypto';
import { InvalidMetricUpdateError, namespaced, parseMetricUpdate, UpdateTopics } from '@switchboard/domain';
import {
  kafkaLogCreator,
  readServiceStatus,
  SERVICE_STATUS_TOPIC,
  SERVICE_STATUS_TOPIC_CONFIG,
  type StreamsLogger,
} from '@switchboard/streams';
import { type Admin, type Consumer, type EachBatchPayload, Kafka, logLevel } from 'kafkajs';
import type { LiveState } from './live-state';

export interface FeedLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface KafkaFeedOptions {
  brokers: string[];
  topicNamespace: string | undefined;
  instanceId: string;
  topicPartitions: number;
  /** metrics.updates and alerts are read from this long ago (so gauges of the last minutes are there at start). */
  warmupMs: number;
  /** How long start() waits for the consumer to read up to where the topics ended at start. */
  catchUpTimeoutMs: number;
}

/**
 * The only file of the live module that speaks Kafka. Every gateway instance reads all partitions of
 * `metrics.updates`, `alerts` and `service.status` in a consumer group of its own (`…live.<instanceId>.<random>`,
 * one member, so it is assigned everything). Start offsets are fixed before it joins and sought on joining:
 * metrics.updates and alerts from `warmupMs` ago (fetchTopicOffsetsByTimestamp), the compacted service.status from
 * its beginning. The group is deleted when the feed stops. Messages that are not updates or status records are counted and skipped.
 */
export class KafkaFeed {
  readonly groupId: string;
  readonly topics: { updates: string; alerts: string; status: string };
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private consumer: Consumer | undefined;
  private readonly consumed = new Map<string, number>();
  private catchUp: { target: Map<string, number>; done: () => void } | undefined;
  /** Messages skipped as undecodable. */
  skipped = 0;

  constructor(
    private readonly opts: KafkaFeedOptions,
    private readonly state: LiveState,
    private readonly logger: FeedLogger,
    /** Where kafkajs' own lines go (at the level libs/streams gives them). */
    kafkaLog: StreamsLogger,
  ) {
    this.topics = {
      updates: namespaced(UpdateTopics.updates, opts.topicNamespace),
      alerts: namespaced(UpdateTopics.alerts, opts.topicNamespace),
      status: namespaced(SERVICE_STATUS_TOPIC, opts.topicNamespace),
    };
    this.groupId = `${namespaced('dashboard-gateway.live', opts.topicNamespace)}.${opts.instanceId}.${randomBytes(4).toString('hex')}`;
    this.kafka = new Kafka({
      clientId: `dashboard-gateway-live-${opts.instanceId}`,
      brokers: opts.brokers,
      connectionTimeout: 3000,
      retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 5000 },
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator(kafkaLog),
    });
    this.admin = this.kafka.admin();
  }

  /** Creates missing topics, sets the group's start offsets, starts consuming and waits (bounded) to catch up. */
  async start(): Promise<void> {
    await this.admin.connect();
    const { updates, alerts, status } = this.topics;
    const existing = new Set(await this.admin.listTopics());
    const missing = [
      { topic: updates, numPartitions: this.opts.topicPartitions },
      { topic: alerts, numPartitions: this.opts.topicPartitions },
      {
        topic: status,
        numPartitions: this.opts.topicPartitions,
        configEntries: Object.entries(SERVICE_STATUS_TOPIC_CONFIG).map(([name, value]) => ({ name, value })),
      },
    ].filter((t) => !existing.has(t.topic));
    // A concurrent creator (the aggregator, another gateway) may win the race: that is fine.
    if (missing.length > 0)
      await this.admin.createTopics({ waitForLeaders: true, topics: missing }).catch(() => undefined);
    const from = Date.now() - this.opts.warmupMs;
    const target = new Map<string, number>();
    const starts = new Map<string, string>();
    for (const topic of [updates, alerts, status]) {
      const ends = await whileSettling(() => this.admin.fetchTopicOffsets(topic));
      const first =
        topic === status
          ? ends.map((p) => ({ partition: p.partition, offset: p.low }))
          : await whileSettling(() => this.admin.fetchTopicOffsetsByTimestamp(topic, from));
      for (const p of ends) {
        const start = first.find((s) => s.partition === p.partition)?.offset ?? p.high;
        starts.set(`${topic}:${p.partition}`, start);
        if (Number(p.high) > Number(start)) target.set(`${topic}:${p.partition}`, Number(p.high) - 1);
      }
    }
    const caughtUp = new Promise<void>((resolve) => {
      this.catchUp = { target, done: resolve };
    });

    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: 1000,
    });
    this.consumer = consumer;
    // The group is new and has one member: on joining it holds every partition; each starts where decided above
    // (once: after a rejoin the member goes on from its committed offsets).
    const joined = new Promise<void>((resolve) => {
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
          for (const partition of partitions) {
            const offset = starts.get(`${topic}:${partition}`);
            if (offset === undefined) continue;
            starts.delete(`${topic}:${partition}`);
            consumer.seek({ topic, partition, offset });
          }
        }
        resolve();
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [updates, alerts, status] });
    await consumer.run({ eachBatch: (payload) => this.onBatch(payload) });

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), this.opts.catchUpTimeoutMs);
    });
    const ready = joined.then(() => {
      this.checkCaughtUp();
      return caughtUp;
    });
    const late = await Promise.race([ready.then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) this.logger.warn(`live feed: not caught up after ${this.opts.catchUpTimeoutMs} ms; serving meanwhile`);
  }

  async stop(): Promise<void> {
    this.catchUp?.done();
    try {
      await this.consumer?.disconnect();
      await this.admin.deleteGroups([this.groupId]).catch(() => undefined);
    } finally {
      await this.admin.disconnect();
    }
  }

  private async onBatch({ batch }: EachBatchPayload): Promise<void> {
    const isStatus = batch.topic === this.topics.status;
    for (const m of batch.messages) {
      try {
        if (isStatus) {
          const key = m.key?.toString();
          if (!key) throw new Error('a status record needs a key');
          this.state.applyServiceStatus(key, readServiceStatus(m.value), Number(m.offset));
        } else {
          this.state.applyUpdate(parseMetricUpdate(m.value));
        }
      } catch (err) {
        if (this.skipped++ === 0 || this.skipped % 1000 === 0) {
          const reason = err instanceof InvalidMetricUpdateError ? err.reason : (err as Error).message;
          this.logger.warn(
            `live feed: skipped ${this.skipped} undecodable message(s); last on ${batch.topic}: ${reason}`,
          );
        }
      }
    }
    const last = batch.messages.at(-1);
    if (last) this.consumed.set(`${batch.topic}:${batch.partition}`, Number(last.offset));
    this.checkCaughtUp();
  }

  private checkCaughtUp(): void {
    const c = this.catchUp;
    if (!c) return;
    for (const [tp, offset] of c.target) if ((this.consumed.get(tp) ?? -1) < offset) return;
    this.catchUp = undefined;
    c.done();
  }
}

/**
 * A topic created a moment ago (here, or by the aggregator starting beside the gateway) is refused for a moment
 * ("This server is not the leader for that topic-partition") until the broker has settled its leaders: the read
 * is tried again while the refusal is retriable, for at most `timeoutMs`; anything else fails at once.
 */
async function whileSettling<T>(read: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await read();
    } catch (err) {
      const e = err as { retriable?: boolean; cause?: { retriable?: boolean } };
      if (!(e.retriable || e.cause?.retriable) || Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

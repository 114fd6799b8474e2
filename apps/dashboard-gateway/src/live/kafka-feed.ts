import { randomBytes } from 'node:crypto';
import { InvalidMetricUpdateError, namespaced, parseMetricUpdate, UpdateTopics } from '@switchboard/domain';
import {
  type ConsumedRecord,
  type PartitionFeed,
  readServiceStatus,
  SERVICE_STATUS_TOPIC,
  SERVICE_STATUS_TOPIC_CONFIG,
  type StreamingClient,
} from '@switchboard/streams';
import type { LiveState } from './live-state';

export interface FeedLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface KafkaFeedOptions {
  topicNamespace: string | undefined;
  instanceId: string;
  topicPartitions: number;
  /** metrics.updates and alerts are read from this long ago (so gauges of the last minutes are there at start). */
  warmupMs: number;
  /** How long start() waits for the reader to read up to where the topics ended at start. */
  catchUpTimeoutMs: number;
}

/**
 * The live module's reader of Kafka, through the streams library (`client.readPartitions`): every gateway instance
 * reads all partitions of `metrics.updates`, `alerts` and `service.status` itself, under a name of its own
 * (`…live.<instanceId>.<random>`), so no two instances share anything. Start offsets are fixed before it reads:
 * metrics.updates and alerts from `warmupMs` ago (the first record at or after that time), the compacted
 * service.status from its beginning. What the reader left on the broker goes when the feed stops. Messages that are
 * not updates or status records are counted and skipped.
 */
export class KafkaFeed {
  readonly groupId: string;
  readonly topics: { updates: string; alerts: string; status: string };
  private reader: PartitionFeed | undefined;
  private readonly consumed = new Map<string, number>();
  private catchUp: { target: Map<string, number>; done: () => void } | undefined;
  /** Messages skipped as undecodable. */
  skipped = 0;

  constructor(
    private readonly opts: KafkaFeedOptions,
    private readonly state: LiveState,
    private readonly logger: FeedLogger,
    private readonly client: StreamingClient,
  ) {
    this.topics = {
      updates: namespaced(UpdateTopics.updates, opts.topicNamespace),
      alerts: namespaced(UpdateTopics.alerts, opts.topicNamespace),
      status: namespaced(SERVICE_STATUS_TOPIC, opts.topicNamespace),
    };
    this.groupId = `${namespaced('dashboard-gateway.live', opts.topicNamespace)}.${opts.instanceId}.${randomBytes(4).toString('hex')}`;
  }

  /** Creates missing topics, fixes the start offsets, starts reading and waits (bounded) to catch up. */
  async start(): Promise<void> {
    const { updates, alerts, status } = this.topics;
    // Replication factor -1: the broker's default. A concurrent creator (the aggregator, another gateway) may win.
    const spec = { partitions: this.opts.topicPartitions, replicationFactor: -1 };
    await this.client.ensureTopics([updates, alerts], spec);
    await this.client.ensureTopics([status], { ...spec, config: SERVICE_STATUS_TOPIC_CONFIG });
    const from = { timestamp: Date.now() - this.opts.warmupMs };
    const reader = await this.client.readPartitions({
      name: this.groupId,
      topics: [
        { topic: updates, from },
        { topic: alerts, from },
        { topic: status, from: 'beginning' },
      ],
      onBatch: (topic, partition, records) => this.onBatch(topic, partition, records),
    });
    this.reader = reader;
    // Caught up: every partition read up to where it ended when the start offsets were fixed (batches read before
    // this line are counted in `consumed`).
    const target = new Map<string, number>();
    for (const [topic, partitions] of reader.ranges)
      for (const [partition, r] of partitions)
        if (r.end > r.start) target.set(`${topic}:${partition}`, Number(r.end) - 1);
    const caughtUp = new Promise<void>((resolve) => {
      this.catchUp = { target, done: resolve };
    });

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), this.opts.catchUpTimeoutMs);
    });
    const ready = reader.positioned.then(() => {
      this.checkCaughtUp();
      return caughtUp;
    });
    const late = await Promise.race([ready.then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) this.logger.warn(`live feed: not caught up after ${this.opts.catchUpTimeoutMs} ms; serving meanwhile`);
  }

  async stop(): Promise<void> {
    this.catchUp?.done();
    const reader = this.reader;
    this.reader = undefined;
    await reader?.close();
  }

  private onBatch(topic: string, partition: number, records: ConsumedRecord[]): void {
    const isStatus = topic === this.topics.status;
    for (const m of records) {
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
          this.logger.warn(`live feed: skipped ${this.skipped} undecodable message(s); last on ${topic}: ${reason}`);
        }
      }
    }
    const last = records.at(-1);
    if (last) this.consumed.set(`${topic}:${partition}`, Number(last.offset));
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

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
  /** The running reader stopped by itself (after start() resolved); start() reads again from where it was. */
  onFailed?(error: Error): void;
}

/**
 * The live module's reader of Kafka, through the streams library (`client.readPartitions`): every gateway instance
 * reads all partitions of `metrics.updates`, `alerts` and `service.status` itself, under a name of its own
 * (`…live.<instanceId>.<random>`), so no two instances share anything. Start offsets are fixed before it reads:
 * metrics.updates and alerts from `warmupMs` ago (the first record at or after that time), the compacted
 * service.status from its beginning. What the reader left on the broker goes when the feed stops. Messages that are
 * not updates or status records are counted and skipped.
 *
 * A reader that fails (its client gave up) is reported through `onFailed`; `start()` again, after `stop()`, goes on
 * from the next offset of every partition read so far (the first start's offsets for the others), so nothing is
 * skipped or read twice.
 */
export class KafkaFeed {
  readonly groupId: string;
  readonly topics: { updates: string; alerts: string; status: string };
  private reader: PartitionFeed | undefined;
  /** Per topic, per partition, where the first start began (a restart begins where each partition got to). */
  private firstStarts: Map<string, Map<number, bigint>> | undefined;
  private readonly consumed = new Map<string, number>();
  /** Why the current reader stopped by itself; undefined while it reads (or before any start). */
  private failure: Error | undefined;
  private failed: ((error: Error) => void) | undefined;
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
    this.failure = undefined;
    const failure = new Promise<never>((_, reject) => {
      this.failed = reject;
    });
    failure.catch(() => undefined);
    let reader: PartitionFeed | undefined;
    reader = await this.client.readPartitions({
      name: this.groupId,
      topics: [
        { topic: updates, from: this.resumeAt(updates) ?? from },
        { topic: alerts, from: this.resumeAt(alerts) ?? from },
        { topic: status, from: this.resumeAt(status) ?? 'beginning' },
      ],
      onBatch: (topic, partition, records) => this.onBatch(topic, partition, records),
      onFailed: (error) => this.onFailed(reader, error),
    });
    this.reader = reader;
    this.firstStarts ??= new Map(
      [...reader.ranges].map(([topic, ps]) => [topic, new Map([...ps].map(([p, r]) => [p, r.start]))]),
    );
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
    try {
      const late = await Promise.race([ready.then(() => false), timedOut, failure]);
      if (late) this.logger.warn(`live feed: not caught up after ${this.opts.catchUpTimeoutMs} ms; serving meanwhile`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Whether a reader runs (started and not failed). */
  get running(): boolean {
    return this.reader !== undefined && this.failure === undefined;
  }

  async stop(): Promise<void> {
    this.catchUp?.done();
    const reader = this.reader;
    this.reader = undefined;
    await reader?.close();
  }

  /** The next offset of every partition of the topic read so far, else where the first start began; undefined before. */
  private resumeAt(topic: string): Map<number, bigint> | undefined {
    const first = this.firstStarts?.get(topic);
    if (!first) return undefined;
    const at = new Map<number, bigint>();
    for (const [partition, start] of first) {
      const consumed = this.consumed.get(`${topic}:${partition}`);
      at.set(partition, consumed === undefined ? start : BigInt(consumed) + 1n);
    }
    return at;
  }

  private onFailed(reader: PartitionFeed | undefined, error: Error): void {
    if (reader !== undefined && reader !== this.reader) return; // a reader stopped before
    this.failure = error;
    this.failed?.(error);
    if (reader !== undefined) this.opts.onFailed?.(error);
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

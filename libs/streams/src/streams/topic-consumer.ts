import { EventEmitter } from 'node:events';
import {
  StreamsClosedError,
  StreamsConfigError,
  StreamsDecodeError,
  StreamsError,
  StreamsHandlerError,
} from '../core/errors';
import type { StreamsLogger } from '../core/logger';
import { decode } from '../core/model/codec';
import { StreamEndType } from '../core/model/stream-end-type';
import {
  type BatchContext,
  type ConsumedRecord,
  type GroupMember,
  headersToStrings,
  type KafkaPort,
  type TopicSpec,
} from '../port';
import { AutoOffsetReset, CommitMode, ErrorPolicy, type ResolvedConsumerOptions } from './consumer-options';
import { deadLetterHeaders } from './dead-letter-headers';
import { StreamConsumer } from './stream-consumer';

/** Instrumentation: the app decides where these go (metrics, logs). */
export interface ConsumerEvents {
  batch: { topic: string; partition: number; messages: number; durationMs: number; lag: number };
  commit: { topic: string; offsets: { partition: number; offset: string }[] };
  rebalance: { topic: string; assigned: number[]; revoked: number[] };
  'dead-letter': { topic: string; partition: number; offset: string; error: string };
  crash: { topic: string; error: Error };
}

type StreamHandler<T> = (stream: StreamConsumer<T>) => unknown;

/**
 * Reads one topic as a member of a consumer group and hands each stream's messages to its handlers.
 * Order: a stream's handlers run in order, one message at a time; partitions run concurrently.
 * Offsets: only messages whose handlers finished are committed (automatically every N messages / M ms,
 * on rebalance and on close; or by commit() in manual mode).
 */
export class TopicConsumer<T = Record<string, number | string>> {
  private readonly emitter = new EventEmitter();
  private readonly streamsByPartition = new Map<number, Map<string, StreamConsumer<T>>>();
  private readonly streamHandlers: StreamHandler<T>[] = [];
  private readonly revokedHandlers: ((streams: StreamConsumer<T>[]) => unknown)[] = [];
  private readonly revokingHandlers: (() => unknown)[] = [];
  private member: GroupMember | undefined;
  private sinceCommit = 0;
  private commitTimer: NodeJS.Timeout | undefined;
  private commitFailing = false;
  private closed = false;

  constructor(
    readonly topic: string,
    private readonly opts: ResolvedConsumerOptions<T>,
    private readonly port: KafkaPort,
    private readonly topicSpec: TopicSpec,
    private readonly logger: StreamsLogger,
  ) {}

  onStreamReceived(handler: StreamHandler<T>): void {
    this.streamHandlers.push(handler);
  }

  /** Called when a rebalance starts, before partitions move (after the automatic commit). */
  onRevoking(handler: () => unknown): void {
    this.revokingHandlers.push(handler);
  }

  /** Called with the open streams of partitions this member lost. They are not closed: another member goes on. */
  onStreamsRevoked(handler: (streams: StreamConsumer<T>[]) => unknown): void {
    this.revokedHandlers.push(handler);
  }

  on<E extends keyof ConsumerEvents>(event: E, listener: (payload: ConsumerEvents[E]) => void): this {
    this.emitter.on(event, listener);
    return this;
  }

  /** Joins the group and starts consuming. Resolves once the consumer runs (before the first message). */
  async subscribe(): Promise<void> {
    if (this.member) throw new StreamsConfigError(`consumer of "${this.topic}" is already subscribed`);
    if (this.closed) throw new StreamsClosedError(`consumer of "${this.topic}" was closed; create a new one`);
    await this.port.admin.ensureTopic(this.topic, this.topicSpec);
    if (this.opts.autoOffsetReset === AutoOffsetReset.Error) {
      const missing = await this.port.admin.partitionsWithoutCommit(this.opts.consumerGroup, this.topic);
      if (missing.length > 0) {
        throw new StreamsConfigError(
          `group "${this.opts.consumerGroup}" has no committed offset on "${this.topic}" partitions ${missing.join(', ')} and autoOffsetReset is 'error'; use 'earliest' or 'latest' for a new group`,
          { context: { topic: this.topic, group: this.opts.consumerGroup, partitions: missing } },
        );
      }
    }
    this.member = this.port.groupMember(
      {
        topic: this.topic,
        groupId: this.opts.consumerGroup,
        fromBeginning: this.opts.autoOffsetReset !== AutoOffsetReset.Latest,
        sessionTimeoutMs: this.opts.sessionTimeoutMs,
        heartbeatIntervalMs: this.opts.heartbeatIntervalMs,
        partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently,
      },
      {
        onAssigned: (partitions) => {
          this.emitter.emit('rebalance', { topic: this.topic, assigned: partitions, revoked: [] });
          return undefined;
        },
        onRevoking: () => this.runRevoking(),
        onRevoked: (partitions) => this.onRevoked(partitions),
        onBatch: (partition, messages, ctx) => this.processBatch(partition, messages, ctx),
        onCrash: (error) => this.emitter.emit('crash', { topic: this.topic, error }),
      },
    );
    await this.member.start();
    if (this.opts.commit.mode === CommitMode.Automatic) {
      this.commitTimer = setInterval(() => void this.autoCommit('on its timer'), this.opts.commit.everyMs);
      this.commitTimer.unref();
    }
  }

  private async processBatch(partition: number, messages: ConsumedRecord[], ctx: BatchContext): Promise<void> {
    const started = Date.now();
    let streams = this.streamsByPartition.get(partition);
    if (!streams) {
      streams = new Map();
      this.streamsByPartition.set(partition, streams);
    }
    let count = 0;
    for (const message of messages) {
      if (ctx.stopping()) break;
      await this.processMessage(partition, streams, message);
      ctx.done(message.offset);
      count++;
      this.sinceCommit++;
      // Heartbeats run on the event loop between messages: keep the membership alive inside long batches.
      await ctx.heartbeat();
    }
    this.emitter.emit('batch', {
      topic: this.topic,
      partition,
      messages: count,
      durationMs: Date.now() - started,
      lag: ctx.lag(),
    });
    if (this.opts.commit.mode === CommitMode.Automatic && this.sinceCommit >= this.opts.commit.everyMessages)
      await this.autoCommit(`after ${this.opts.commit.everyMessages} messages`);
  }

  private async runRevoking(): Promise<void> {
    if (this.opts.commit.mode === CommitMode.Automatic) await this.autoCommit('before a rebalance');
    for (const h of this.revokingHandlers) await h();
  }

  /**
   * An automatic commit that fails leaves the offsets uncommitted until the next one succeeds; processing goes on.
   * Said once per run of failures (the timer would repeat it every few seconds while the broker is away), because
   * what it costs is real: after a restart or a rebalance, the messages since the last commit are read again.
   */
  private async autoCommit(when: string): Promise<void> {
    try {
      await this.commit();
      if (this.commitFailing) this.logger.info(`automatic commits of "${this.topic}" succeed again`);
      this.commitFailing = false;
    } catch (err) {
      if (!this.commitFailing) {
        this.logger.warn(
          `automatic commit of "${this.topic}" failed ${when}: ${(err as Error).message}; the offsets stay uncommitted and the next commit tries again (until one succeeds, a restart reads the messages since the last commit again)`,
        );
      }
      this.commitFailing = true;
    }
  }

  private onRevoked(partitions: number[]): void {
    const lost: StreamConsumer<T>[] = [];
    for (const p of partitions) {
      lost.push(...(this.streamsByPartition.get(p)?.values() ?? []));
      this.streamsByPartition.delete(p);
    }
    this.emitter.emit('rebalance', { topic: this.topic, assigned: [], revoked: partitions });
    if (lost.length > 0) {
      for (const h of this.revokedHandlers) {
        void Promise.resolve()
          .then(() => h(lost))
          .catch((err) => this.logger.error(`onStreamsRevoked handler failed: ${(err as Error).message}`));
      }
    }
  }

  private async processMessage(
    partition: number,
    streams: Map<string, StreamConsumer<T>>,
    message: ConsumedRecord,
  ): Promise<void> {
    let decoded: ReturnType<typeof decode>;
    try {
      decoded = decode(message.key?.toString('utf8') ?? null, headersToStrings(message.headers), message.value);
    } catch (err) {
      return this.deadLetter(partition, message, err as Error);
    }
    const { streamId, message: msg } = decoded;
    let stream = streams.get(streamId);
    try {
      if (!stream) {
        stream = new StreamConsumer<T>(this.topic, partition, streamId, this.opts.timeseries);
        streams.set(streamId, stream);
        for (const h of this.streamHandlers) await h(stream);
      }
      const r = stream.dispatch(msg);
      if (r) await r;
      if (msg.kind === 'stream-end') streams.delete(streamId);
    } catch (err) {
      const error =
        err instanceof StreamsError
          ? err
          : new StreamsHandlerError(`handler failed for stream "${streamId}": ${(err as Error).message}`, {
              cause: err,
            });
      if (this.opts.onError === ErrorPolicy.Stop) {
        throw new StreamsHandlerError(`stopping: ${error.message}`, {
          context: { topic: this.topic, partition, offset: message.offset, streamId },
          cause: err,
        });
      }
      await this.deadLetter(partition, message, error);
    }
  }

  private async deadLetter(partition: number, message: ConsumedRecord, error: Error): Promise<void> {
    const reason = error instanceof StreamsDecodeError ? `decode: ${error.message}` : error.message;
    this.logger.warn(`message to dead-letter topic ${this.opts.deadLetterTopic}: ${reason}`, {
      topic: this.topic,
      partition,
      offset: message.offset,
    });
    await this.port.admin.ensureTopic(this.opts.deadLetterTopic, this.topicSpec);
    await this.port.sender.send([
      {
        topic: this.opts.deadLetterTopic,
        messages: [
          {
            key: message.key?.toString('utf8') ?? '',
            value: message.value ?? Buffer.alloc(0),
            headers: {
              ...headersToStrings(message.headers),
              ...deadLetterHeaders({ topic: this.topic, partition, offset: message.offset }, reason, error.name),
            },
          },
        ],
      },
    ]);
    this.emitter.emit('dead-letter', { topic: this.topic, partition, offset: message.offset, error: reason });
  }

  /** Commits the offsets of every message whose handlers finished. */
  async commit(): Promise<void> {
    this.sinceCommit = 0;
    const offsets = (await this.member?.commit()) ?? [];
    if (offsets.length > 0) this.emitter.emit('commit', { topic: this.topic, offsets });
  }

  /** Streams currently open in the partitions this member holds. */
  openStreams(): StreamConsumer<T>[] {
    return [...this.streamsByPartition.values()].flatMap((m) => [...m.values()]);
  }

  /** Stops fetching, lets running handlers finish, commits, reports open streams as Terminated, leaves the group. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.commitTimer) clearInterval(this.commitTimer);
    await this.member?.drain();
    if (this.opts.commit.mode === CommitMode.Automatic)
      await this.commit().catch((err) => this.logger.warn(`final commit failed: ${(err as Error).message}`));
    for (const stream of this.openStreams()) {
      try {
        await stream.end(StreamEndType.Terminated);
      } catch (err) {
        this.logger.warn(`onStreamClosed handler failed: ${(err as Error).message}`, { streamId: stream.streamId });
      }
    }
    this.streamsByPartition.clear();
    await this.member?.close();
    this.closed = true;
  }
}

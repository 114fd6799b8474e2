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
import { type EvictedStream, type EvictionReason, type OpenStreamStats, OpenStreams } from './open-streams';
import { StreamConsumer } from './stream-consumer';

/** Instrumentation: the app decides where these go (metrics, logs). */
export interface ConsumerEvents {
  batch: { topic: string; partition: number; messages: number; durationMs: number; lag: number };
  commit: { topic: string; offsets: { partition: number; offset: string }[] };
  rebalance: { topic: string; assigned: number[]; revoked: number[] };
  'dead-letter': { topic: string; partition: number; offset: string; error: string };
  crash: { topic: string; error: Error };
  /** Open streams of a partition the consumer forgot: idle beyond `streamTtlMs`, or over `maxOpenStreams`. */
  'streams-evicted': { topic: string; partition: number; reason: EvictionReason; streamIds: string[] };
}

type StreamHandler<T> = (stream: StreamConsumer<T>) => unknown;

/**
 * Reads one topic as a member of a consumer group and hands each stream's messages to its handlers.
 * Order: a stream's handlers run in order, one message at a time; partitions run concurrently.
 * Offsets: only messages whose handlers finished are committed (automatically every N messages / M ms,
 * on rebalance and on close; or by commit() in manual mode).
 * Memory: a stream is held from its first message until its stream-end, its partition's revocation, or its
 * eviction — not seen for `streamTtlMs`, or least recently seen beyond `maxOpenStreams` — which ends it
 * Terminated for its handlers; a message of it afterwards starts it anew (onStreamReceived, empty properties
 * until its producer sends them: the wire format sends properties when they change, before the data after them).
 */
export class TopicConsumer<T = Record<string, number | string>> {
  private readonly emitter = new EventEmitter();
  private readonly streams: OpenStreams<StreamConsumer<T>>;
  /** Partitions whose batch runs now: their streams are evicted only by that batch, between its messages. */
  private readonly inBatch = new Set<number>();
  /** Per partition: evicted streams' onStreamClosed handlers still running; its next batch waits for them. */
  private readonly endings = new Map<number, Promise<void>>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly streamHandlers: StreamHandler<T>[] = [];
  private readonly revokedHandlers: ((streams: StreamConsumer<T>[]) => unknown)[] = [];
  private readonly revokingHandlers: (() => unknown)[] = [];
  private member: GroupMember | undefined;
  private sinceCommit = 0;
  private commitTimer: NodeJS.Timeout | undefined;
  /** The kinds of failure said in the current run of failing automatic commits (each is said once). */
  private readonly commitFailures = new Set<string>();
  private closed = false;

  constructor(
    readonly topic: string,
    private readonly opts: ResolvedConsumerOptions<T>,
    private readonly port: KafkaPort,
    private readonly topicSpec: TopicSpec,
    private readonly logger: StreamsLogger,
  ) {
    this.streams = new OpenStreams(opts.openStreams);
  }

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
    const { ttlMs } = this.opts.openStreams;
    if (Number.isFinite(ttlMs)) {
      // Idle streams go within a quarter of the TTL (at most 5 s) after it ran out; the cap is kept as streams come.
      this.sweepTimer = setInterval(() => void this.evictStreams(), Math.min(Math.max(ttlMs / 4, 50), 5000));
      this.sweepTimer.unref();
    }
  }

  /** Open streams held now, and how many were evicted since the consumer started (idle / over the limit). */
  get streamStats(): OpenStreamStats {
    return this.streams.stats;
  }

  private async processBatch(partition: number, messages: ConsumedRecord[], ctx: BatchContext): Promise<void> {
    const started = Date.now();
    // Evicted streams of this partition end before its next message is handled (checked again after each wait).
    for (let ending = this.endings.get(partition); ending; ending = this.endings.get(partition)) await ending;
    this.inBatch.add(partition);
    let count = 0;
    try {
      for (const message of messages) {
        if (ctx.stopping()) break;
        await this.processMessage(partition, message);
        ctx.done(message.offset);
        count++;
        this.sinceCommit++;
        // Heartbeats run on the event loop between messages: keep the membership alive inside long batches.
        await ctx.heartbeat();
      }
    } finally {
      this.inBatch.delete(partition);
    }
    await this.evictStreams(partition);
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
   * Said once per kind of failure (name and message, numbers aside) in a run of failures — the timer would repeat
   * it every few seconds while the broker is away — and once when commits succeed again, because
   * what it costs is real: after a restart or a rebalance, the messages since the last commit are read again.
   */
  private async autoCommit(when: string): Promise<void> {
    try {
      await this.commit();
      if (this.commitFailures.size > 0) this.logger.info(`automatic commits of "${this.topic}" succeed again`);
      this.commitFailures.clear();
    } catch (err) {
      const kind = failureKind(err);
      if (!this.commitFailures.has(kind)) {
        this.commitFailures.add(kind);
        this.logger.warn(
          `automatic commit of "${this.topic}" failed ${when}: ${(err as Error).message}; the offsets stay uncommitted and the next commit tries again (until one succeeds, a restart reads the messages since the last commit again)`,
        );
      }
    }
  }

  /**
   * Evicts what must go now (open-streams.ts), except in partitions whose batch runs (`current`: the caller's own,
   * between two of its messages), and runs the evicted streams' onStreamClosed(Terminated) handlers in their
   * partition's order: now for `current`, else before that partition's next batch.
   */
  private async evictStreams(current?: number, room = 0): Promise<void> {
    const evicted = this.streams.evict(Date.now(), (p) => p === current || !this.inBatch.has(p), room);
    if (evicted.length === 0) return;
    const byPartition = new Map<number, EvictedStream<StreamConsumer<T>>[]>();
    for (const e of evicted) byPartition.set(e.partition, [...(byPartition.get(e.partition) ?? []), e]);
    for (const [partition, list] of byPartition) {
      for (const reason of ['idle', 'limit'] as const) {
        const streamIds = list.filter((e) => e.reason === reason).map((e) => e.streamId);
        if (streamIds.length > 0)
          this.emitter.emit('streams-evicted', { topic: this.topic, partition, reason, streamIds });
      }
      const end = () => this.endStreams(list.map((e) => e.stream));
      if (partition === current) {
        await end();
        continue;
      }
      const ending: Promise<void> = (this.endings.get(partition) ?? Promise.resolve()).then(end).finally(() => {
        if (this.endings.get(partition) === ending) this.endings.delete(partition);
      });
      this.endings.set(partition, ending);
    }
  }

  /** Ends streams as Terminated; a failing onStreamClosed handler is logged, the others still run. */
  private async endStreams(streams: StreamConsumer<T>[]): Promise<void> {
    for (const stream of streams) {
      try {
        await stream.end(StreamEndType.Terminated);
      } catch (err) {
        this.logger.warn(`onStreamClosed handler failed: ${(err as Error).message}`, { streamId: stream.streamId });
      }
    }
  }

  private onRevoked(partitions: number[]): void {
    const lost: StreamConsumer<T>[] = [];
    for (const p of partitions) lost.push(...this.streams.dropPartition(p));
    this.emitter.emit('rebalance', { topic: this.topic, assigned: [], revoked: partitions });
    if (lost.length > 0) {
      for (const h of this.revokedHandlers) {
        void Promise.resolve()
          .then(() => h(lost))
          .catch((err) => this.logger.error(`onStreamsRevoked handler failed: ${(err as Error).message}`));
      }
    }
  }

  private async processMessage(partition: number, message: ConsumedRecord): Promise<void> {
    let decoded: ReturnType<typeof decode>;
    try {
      decoded = decode(message.key?.toString('utf8') ?? null, headersToStrings(message.headers), message.value);
    } catch (err) {
      return this.deadLetter(partition, message, err as Error);
    }
    const { streamId, message: msg } = decoded;
    let stream = this.streams.get(partition, streamId);
    try {
      if (stream) this.streams.seen(partition, streamId, stream, Date.now());
      else {
        // A new stream (or one evicted before, which starts over): room is made first when the cap is reached.
        if (this.streams.size >= this.opts.openStreams.maxStreams) await this.evictStreams(partition, 1);
        stream = new StreamConsumer<T>(this.topic, partition, streamId, this.opts.timeseries);
        this.streams.seen(partition, streamId, stream, Date.now());
        for (const h of this.streamHandlers) await h(stream);
      }
      const r = stream.dispatch(msg);
      if (r) await r;
      if (msg.kind === 'stream-end') this.streams.remove(partition, streamId);
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
    return this.streams.all();
  }

  /** Stops fetching, lets running handlers finish, commits, reports open streams as Terminated, leaves the group. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.commitTimer) clearInterval(this.commitTimer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.member?.drain();
    await Promise.all(this.endings.values());
    if (this.opts.commit.mode === CommitMode.Automatic)
      await this.commit().catch((err) => this.logger.warn(`final commit failed: ${(err as Error).message}`));
    await this.endStreams(this.openStreams());
    this.streams.clear();
    await this.member?.close();
    this.closed = true;
  }
}

/** What makes two commit failures the same for the log: the error's name and message, numbers aside. */
function failureKind(err: unknown): string {
  const e = err as { name?: string; message?: string; type?: string };
  return `${e?.name ?? 'Error'}/${e?.type ?? ''}/${String(e?.message ?? err).replace(/\d+/g, '#')}`;
}

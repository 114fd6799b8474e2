import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Pool } from 'pg';
import { StreamsConfigError, StreamsDecodeError, StreamsError } from '../core/errors';
import type { StreamsLogger } from '../core/logger';
import { decode } from '../core/model/codec';
import { GroupMember } from '../kafka/group-member';
import type { KafkaTopicAdmin } from '../kafka/topic-admin';
import { headersToStrings } from '../kafka/topic-consumer';
import { CheckpointStore, type OutboxRecord } from '../postgres/checkpoint-store';
import { FencedError } from '../postgres/errors';
import type { TopicSpec } from '../streams/transport';
import { deadLetterRecord } from './dead-letter';
import { ProcessorCore } from './processor-core';
import type { ConsumedMessage, Topology } from './topology';

/** A raw message of the input topic, for a custom decoder. */
export interface RawMessage {
  key: string | null;
  headers: Record<string, string>;
  value: Buffer | null;
  offset: string;
}

export interface StreamProcessorOptions<R, M = ConsumedMessage> {
  consumerGroup: string;
  topology: Topology<R, M>;
  /**
   * Reads a message of the input topic (default: the streams wire format into a ConsumedMessage).
   * Throw StreamsDecodeError for a message that cannot be read: it goes to the dead-letter topic.
   */
  decode?: (partition: number, message: RawMessage) => M;
  /** The app's pool: results, state, offsets and outbox share its transactions. */
  pool: Pool;
  tablePrefix?: string;
  /** Names this member in the ownership rows (default host-pid-random). */
  ownerId?: string;
  /** How often a checkpoint runs (default 500 ms). */
  checkpointIntervalMs?: number;
  /** A checkpoint also runs once this many messages were processed since the last (default 10,000). */
  checkpointEveryMessages?: number;
  /** How often wall-clock time is given to the topology (default 250 ms). */
  tickIntervalMs?: number;
  sessionTimeoutMs?: number;
  /** Default `<topic>.dlq`: undecodable messages go there through the outbox, in the checkpoint's transaction. */
  deadLetterTopic?: string;
  clock?: () => number;
}

export interface ProcessorEvents {
  checkpoint: { partitions: { partition: number; offset: string }[]; durationMs: number };
  assigned: { partitions: number[] };
  revoked: { partitions: number[] };
  /** The member lost ownership (fenced) or a checkpoint failed: it dropped its state and rejoins. */
  restart: { reason: string };
}

/**
 * Consumes a topic in a consumer group and runs a topology over it with exactly-once results in Postgres:
 * offsets, state, results and outbox are committed in one transaction, fenced per partition by an owner
 * epoch; on assignment the member seeks to the offsets stored in Postgres and restores state.
 * The order of a checkpoint is documented on ProcessorCore.
 */
export class StreamProcessor<R, M = ConsumedMessage> {
  private readonly emitter = new EventEmitter();
  private readonly core: ProcessorCore<R, M>;
  private readonly decode: (partition: number, message: RawMessage) => M;
  private readonly ownerId: string;
  private member: GroupMember | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private sinceCheckpoint = 0;
  private rebalancing = false;
  /** Per owned partition: everything in it has been read (so silence there means the source is quiet). */
  private readonly caughtUp = new Map<number, boolean>();
  private checkpointRun: Promise<void> | undefined;
  /** Offset commits to Kafka (for lag tools), one after the other, off the checkpoint's path. */
  private kafkaCommits: Promise<void> = Promise.resolve();
  private restarting: Promise<void> | undefined;
  private closing = false;

  constructor(
    readonly topic: string,
    private readonly opts: StreamProcessorOptions<R, M>,
    private readonly kafka: Kafka,
    private readonly admin: KafkaTopicAdmin,
    private readonly topicSpec: TopicSpec,
    private readonly logger: StreamsLogger,
  ) {
    if (!opts.consumerGroup) throw new StreamsConfigError(`a processor of "${topic}" needs a consumerGroup`);
    if (!opts.pool) throw new StreamsConfigError(`a processor of "${topic}" needs a pg Pool for its checkpoints`);
    this.ownerId = opts.ownerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.decode = opts.decode ?? (decodeStreamMessage as unknown as (partition: number, message: RawMessage) => M);
    this.core = new ProcessorCore<R, M>({
      group: opts.consumerGroup,
      topic,
      ownerId: this.ownerId,
      store: new CheckpointStore({ pool: opts.pool, tablePrefix: opts.tablePrefix }),
      topology: opts.topology,
      logger,
    });
  }

  on<E extends keyof ProcessorEvents>(event: E, listener: (payload: ProcessorEvents[E]) => void): this {
    this.emitter.on(event, listener);
    return this;
  }

  async start(): Promise<void> {
    await this.admin.ensureTopic(this.topic, this.topicSpec);
    await this.join();
    const clock = this.opts.clock ?? Date.now;
    this.tickTimer = setInterval(() => this.tick(clock()), this.opts.tickIntervalMs ?? 250);
    this.checkpointTimer = setInterval(() => void this.checkpoint(), this.opts.checkpointIntervalMs ?? 500);
  }

  private async join(): Promise<void> {
    // The hooks of a member this processor has left (a restart) change nothing: its late assignment must not
    // take partitions into the state of the member that replaced it.
    const current = () => this.member === member;
    const member: GroupMember = new GroupMember(
      this.kafka,
      {
        topic: this.topic,
        groupId: this.opts.consumerGroup,
        fromBeginning: true,
        sessionTimeoutMs: this.opts.sessionTimeoutMs ?? 10_000,
        heartbeatIntervalMs: Math.min(1000, Math.floor((this.opts.sessionTimeoutMs ?? 10_000) / 3)),
        partitionsConsumedConcurrently: 2,
      },
      {
        onAssigned: async (partitions) => {
          try {
            if (!current()) throw new StreamsError(`partitions ${partitions.join(', ')} came to a member that left`);
            const positions = await this.core.assign(partitions);
            if (!current()) {
              // Left while acquiring (a restart's pause): drop them again, unless the next member is already in.
              if (!this.member) this.core.revoke(partitions);
              throw new StreamsError(`partitions ${partitions.join(', ')} came to a member that left`);
            }
            const ends = await this.admin.endOffsets(this.topic);
            for (const p of partitions) {
              const next = BigInt(positions.get(p) ?? '0');
              this.caughtUp.set(p, next >= (ends.get(p) ?? 0n));
            }
            this.emitter.emit('assigned', { partitions });
            return positions;
          } catch (err) {
            // Postgres away or refusing: without the checkpoint we must not process; try again from the top.
            if (current())
              void this.restart(`could not take partitions ${partitions.join(', ')}: ${(err as Error).message}`);
            throw err;
          }
        },
        onRevoking: async () => {
          if (!current()) return;
          // From here until the group settles nothing is processed (a partition processed now may belong to
          // another member in a moment) and no partition idles; what is done is saved while still ours.
          // The checkpoint takes what is done now (not only what a checkpoint in flight took): the member hands
          // the partitions over once it is committed, so no new owner's takeover fences it.
          this.rebalancing = true;
          for (const p of this.caughtUp.keys()) this.caughtUp.set(p, false);
          await this.checkpoint(true);
        },
        onJoined: () => {
          if (current()) this.rebalancing = false;
        },
        onRevoked: (partitions) => {
          if (!current()) return;
          for (const p of partitions) this.caughtUp.delete(p);
          this.core.revoke(partitions);
          this.emitter.emit('revoked', { partitions });
        },
        onBatch: (partition, messages, ctx) => this.processBatch(partition, messages, ctx),
      },
      this.logger,
    );
    this.member = member;
    await member.start();
  }

  private async processBatch(
    partition: number,
    messages: KafkaMessage[],
    ctx: { done(offset: string): void; heartbeat(): Promise<void>; stopping(): boolean; lag(): number },
  ): Promise<void> {
    if (ctx.stopping() || this.restarting || this.rebalancing) return;
    this.caughtUp.set(partition, false);
    // After a rebalance that left us the partition, kafkajs fetches again from the offset committed to Kafka,
    // which trails what we processed in memory: skip what the state already holds.
    const position = this.core.position(partition);
    const from = position ? BigInt(position) : -1n;
    const fresh = from < 0n ? messages : messages.filter((m) => BigInt(m.offset) >= from);
    if (fresh.length === 0) {
      ctx.done(messages[messages.length - 1].offset);
      this.caughtUp.set(partition, ctx.lag() === 0);
      return;
    }
    const decoded: M[] = [];
    const deadLetters: OutboxRecord[] = [];
    for (const m of fresh) {
      try {
        const raw = {
          key: m.key?.toString('utf8') ?? null,
          headers: headersToStrings(m.headers),
          value: m.value,
          offset: m.offset,
        };
        decoded.push(this.decode(partition, raw));
      } catch (err) {
        deadLetters.push(this.deadLetter(partition, m, err as Error));
      }
    }
    const last = fresh[fresh.length - 1].offset;
    await this.core.process(partition, decoded, last, deadLetters);
    ctx.done(last);
    this.caughtUp.set(partition, ctx.lag() === 0);
    this.sinceCheckpoint += fresh.length;
    const every = this.opts.checkpointEveryMessages ?? 10_000;
    if (this.sinceCheckpoint >= every) {
      const run = this.checkpoint();
      // Processing goes on while a checkpoint commits; only when a slow database lets several checkpoints'
      // worth pile up does the batch wait (backpressure, and a bound on what a crash replays).
      if (this.sinceCheckpoint >= 3 * every) await run;
    }
    await ctx.heartbeat();
  }

  private deadLetter(partition: number, m: KafkaMessage, err: Error): OutboxRecord {
    const reason = err instanceof StreamsDecodeError ? `decode: ${err.message}` : err.message;
    const record = deadLetterRecord({
      source: { topic: this.topic, partition, offset: m.offset },
      topic: this.opts.deadLetterTopic,
      key: m.key?.toString('utf8') ?? null,
      value: m.value,
      error: reason,
      errorType: err.name,
      headers: headersToStrings(m.headers),
    });
    this.logger.warn(`undecodable message to ${record.topic}: ${reason}`, { partition, offset: m.offset });
    return record;
  }

  /**
   * Wall-clock time reaches the topology only while every partition is caught up. A partition with a backlog
   * is not quiet, it is behind: letting it idle would move its stream time past records still to be read
   * and make them late (after a rebalance pause, or while catching up after downtime).
   */
  private tick(now: number): void {
    for (const caughtUp of this.caughtUp.values()) if (!caughtUp) return;
    this.core.tick(now);
  }

  /**
   * Runs a checkpoint now; after it commits, the offsets also go to Kafka (for lag tools). Callers during a run
   * share it (the timer, the message count), so each checkpoint is one event — unless `all`: then a new one
   * takes everything processed until now, and resolves once that and every checkpoint before it committed.
   */
  checkpoint(all = false): Promise<void> {
    if (this.checkpointRun && !all) return this.checkpointRun;
    const run = this.runCheckpoint().finally(() => {
      if (this.checkpointRun === run) this.checkpointRun = undefined;
    });
    this.checkpointRun = run;
    return run;
  }

  private async runCheckpoint(): Promise<void> {
    if (this.restarting) return;
    const t0 = Date.now();
    this.sinceCheckpoint = 0;
    try {
      const partitions = await this.core.checkpoint();
      if (partitions.length === 0) return;
      this.emitter.emit('checkpoint', { partitions, durationMs: Date.now() - t0 });
      const member = this.member;
      this.kafkaCommits = this.kafkaCommits.then(() =>
        member
          ?.commit(partitions)
          .then(() => undefined)
          .catch((err) => this.logger.debug(`Kafka offset commit skipped: ${(err as Error).message}`)),
      );
    } catch (err) {
      const reason =
        err instanceof FencedError ? `fenced: ${err.message}` : `checkpoint failed: ${(err as Error).message}`;
      void this.restart(reason);
    }
  }

  /** Drops all partitions and state and joins the group again: state comes back from Postgres. */
  private restart(reason: string): Promise<void> {
    if (this.closing) return Promise.resolve();
    this.restarting ??= (async () => {
      this.logger.warn(`processor of "${this.topic}" restarts: ${reason}`);
      this.emitter.emit('restart', { reason });
      const leaving = this.member;
      this.member = undefined;
      await leaving?.close().catch(() => undefined);
      this.core.revokeAll();
      await new Promise((r) => setTimeout(r, 1000));
      if (!this.closing) await this.join();
    })()
      .catch((err) => this.logger.error(`processor of "${this.topic}" could not rejoin: ${(err as Error).message}`))
      .finally(() => {
        this.restarting = undefined;
      });
    return this.restarting;
  }

  /** Stops fetching, checkpoints what was processed, leaves the group. */
  async close(): Promise<void> {
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    await this.restarting;
    await this.member?.drain();
    await this.checkpoint(true);
    await this.kafkaCommits;
    this.closing = true;
    await this.member?.close();
    this.core.revokeAll();
  }
}

/** The default decoder: the streams wire format (json/1). */
function decodeStreamMessage(partition: number, m: RawMessage): ConsumedMessage {
  const d = decode(m.key, m.headers, m.value);
  return { partition, offset: m.offset, streamId: d.streamId, message: d.message };
}

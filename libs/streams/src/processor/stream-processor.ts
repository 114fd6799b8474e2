import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import type { Pool } from 'pg';
import { type BackoffOptions, backoffDelay, interruptibleSleep } from '../core/backoff';
import { StreamsConfigError, StreamsDecodeError, StreamsError } from '../core/errors';
import type { StreamsLogger } from '../core/logger';
import { decode } from '../core/model/codec';
import { Outage, type OutageStatus } from '../core/outage';
import {
  type BatchContext,
  type ConsumedRecord,
  type GroupMember,
  headersToStrings,
  type KafkaPort,
  type OffsetRange,
  type TopicSpec,
} from '../port';
import { CheckpointStore, type OutboxRecord } from '../postgres/checkpoint-store';
import { FencedError } from '../postgres/errors';
import { guardPool } from '../postgres/pool-guard';
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
  /**
   * Back-off while Postgres is away (checkpoints, takeovers) and between restarts: the first wait, doubling up
   * to the longest (default 500 ms → 5000 ms; restarts start at twice the first wait).
   */
  retry?: Partial<BackoffOptions>;
  clock?: () => number;
}

/** What a processor is up to, for readiness. */
export interface StreamProcessorStatus {
  /** Fetching is paused: Postgres refused a checkpoint or takeover, and the processor retries with back-off. */
  paused: boolean;
  /** The outage of Postgres in progress, if any. */
  postgres?: OutageStatus;
  /** The member left the group and rejoins (fenced, or Kafka refused the rejoin). */
  restarting: boolean;
}

export interface ProcessorEvents {
  checkpoint: { partitions: { partition: number; offset: string }[]; durationMs: number };
  assigned: { partitions: number[] };
  revoked: { partitions: number[] };
  /** The member lost ownership (fenced), or could not rejoin: it dropped its state and rejoins (with back-off). */
  restart: { reason: string };
  /** A checkpoint or takeover failed (Postgres away): fetching paused, work since the last checkpoint dropped. */
  paused: { reason: string };
  /** Postgres answered again: the partitions were taken again from their checkpoints and fetching goes on. */
  resumed: { partitions: number[]; outageMs: number };
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
  /** Restarts since the last checkpoint that committed: each waits longer than the one before. */
  private restartsInRow = 0;
  /** Set while fetching is paused because Postgres refused us: see suspend(). */
  private suspension: Promise<void> | undefined;
  private readonly postgres: Outage;
  private readonly backoff: BackoffOptions;
  /** Cuts short the back-off wait in progress (suspension or restart) when the processor closes. */
  private interruptWait: (() => void) | undefined;
  /** close() was called: no new suspension or restart, and waits end now. */
  private stopping = false;

  constructor(
    readonly topic: string,
    private readonly opts: StreamProcessorOptions<R, M>,
    private readonly kafka: KafkaPort,
    private readonly topicSpec: TopicSpec,
    private readonly logger: StreamsLogger,
  ) {
    if (!opts.consumerGroup) throw new StreamsConfigError(`a processor of "${topic}" needs a consumerGroup`);
    if (!opts.pool) throw new StreamsConfigError(`a processor of "${topic}" needs a pg Pool for its checkpoints`);
    this.ownerId = opts.ownerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.decode = opts.decode ?? (decodeStreamMessage as unknown as (partition: number, message: RawMessage) => M);
    guardPool(opts.pool, logger);
    this.backoff = { initialMs: opts.retry?.initialMs ?? 500, maxMs: opts.retry?.maxMs ?? 5000 };
    if (!(this.backoff.initialMs > 0 && this.backoff.maxMs >= this.backoff.initialMs))
      throw new StreamsConfigError(
        `processor of "${topic}": retry needs 0 < initialMs ≤ maxMs, got ${this.backoff.initialMs} and ${this.backoff.maxMs}`,
      );
    this.postgres = new Outage(`Postgres (checkpoints of "${opts.consumerGroup}" on "${topic}")`, this.backoff, logger);
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

  get status(): StreamProcessorStatus {
    const postgres = this.postgres.status;
    return {
      paused: this.suspension !== undefined,
      restarting: this.restarting !== undefined,
      ...(postgres ? { postgres } : {}),
    };
  }

  async start(): Promise<void> {
    await this.kafka.admin.ensureTopic(this.topic, this.topicSpec);
    await this.join();
    const clock = this.opts.clock ?? Date.now;
    this.tickTimer = setInterval(() => this.tick(clock()), this.opts.tickIntervalMs ?? 250);
    this.checkpointTimer = setInterval(() => void this.checkpoint(), this.opts.checkpointIntervalMs ?? 500);
  }

  private async join(): Promise<void> {
    // The hooks of a member this processor has left (a restart) change nothing: its late assignment must not
    // take partitions into the state of the member that replaced it.
    const current = () => this.member === member;
    const member: GroupMember = this.kafka.groupMember(
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
          if (!current()) throw new StreamsError(`partitions ${partitions.join(', ')} came to a member that left`);
          // Paused for Postgres: the recovery takes every partition the member has when Postgres answers.
          if (this.suspension) return undefined;
          let positions: Map<number, string | null>;
          try {
            positions = await this.core.assign(partitions);
          } catch (err) {
            // Postgres away or refusing: without the checkpoint we must not process. Stay in the group, paused,
            // and take the partitions when it answers (no rejoin: that would only move the problem around).
            if (current()) this.suspend(err as Error);
            return undefined;
          }
          if (!current()) {
            // Left while acquiring (a restart's pause): drop them again, unless the next member is already in.
            if (!this.member) this.core.revoke(partitions);
            throw new StreamsError(`partitions ${partitions.join(', ')} came to a member that left`);
          }
          if (this.suspension) return undefined; // a failure meanwhile dropped them; the recovery takes them again
          await this.markCaughtUp(partitions, positions);
          this.emitter.emit('assigned', { partitions });
          return positions;
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
    );
    this.member = member;
    try {
      await member.start();
    } catch (err) {
      if (this.member === member) this.member = undefined;
      await member.close().catch(() => undefined);
      throw err;
    }
  }

  /** Whether each partition's position is at the end of its log (so that silence there is the source being quiet). */
  private async markCaughtUp(partitions: readonly number[], positions: ReadonlyMap<number, string | null>) {
    let ranges: Map<number, OffsetRange>;
    try {
      ranges = await this.kafka.admin.offsetRanges(this.topic);
    } catch (err) {
      // Not knowing the end only means silence is not yet taken for a quiet source; failing the assignment for
      // it would crash the member (kafkajs gives up the group). Ask again soon: a quiet partition sends no
      // batch that could say it is at the end, and without it no partition of this member idles.
      this.logger.warn(`processor of "${this.topic}": end offsets unknown at assignment: ${(err as Error).message}`);
      for (const p of partitions) this.caughtUp.set(p, false);
      setTimeout(() => {
        const still = partitions.filter((p) => this.caughtUp.get(p) === false);
        if (this.stopping || still.length === 0) return;
        void this.markCaughtUp(still, new Map(still.map((p) => [p, this.core.position(p) ?? null])));
      }, 2_000).unref();
      return;
    }
    for (const p of partitions) {
      const next = BigInt(positions.get(p) ?? '0');
      this.caughtUp.set(p, next >= (ranges.get(p)?.end ?? 0n));
    }
  }

  private async processBatch(partition: number, messages: ConsumedRecord[], ctx: BatchContext): Promise<void> {
    // While paused for Postgres, batches fetched before the pause are dropped: they are read again after it.
    if (ctx.stopping() || this.restarting || this.rebalancing || this.suspension) return;
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

  private deadLetter(partition: number, m: ConsumedRecord, err: Error): OutboxRecord {
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
    if (this.suspension) return;
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
    if (this.restarting || this.suspension) return;
    const t0 = Date.now();
    this.sinceCheckpoint = 0;
    try {
      const partitions = await this.core.checkpoint();
      if (partitions.length === 0) return;
      this.restartsInRow = 0;
      this.emitter.emit('checkpoint', { partitions, durationMs: Date.now() - t0 });
      const member = this.member;
      this.kafkaCommits = this.kafkaCommits.then(() =>
        member
          ?.commit(partitions)
          .then(() => undefined)
          .catch((err) => this.logger.debug(`Kafka offset commit skipped: ${(err as Error).message}`)),
      );
    } catch (err) {
      if (err instanceof FencedError) void this.restart(`fenced: ${err.message}`);
      else if (this.stopping)
        this.logger.warn(`processor of "${this.topic}": last checkpoint failed: ${(err as Error).message}`);
      else this.suspend(err as Error);
    }
  }

  /**
   * A checkpoint or a takeover failed, not fenced: Postgres is away (or refuses). The member stays in the group
   * (heartbeats go on, nothing moves to another member) but stops fetching every partition, and drops what it
   * processed since the last checkpoint: memory stays bounded however long the outage, and Postgres holds the
   * truth (a commit whose answer was lost may have gone through; re-reading the checkpoint settles it). Then it
   * takes its partitions again from Postgres, with back-off, until that works, and reads on from the checkpointed
   * offsets. Logged once when it starts and once when it ends.
   */
  private suspend(error: Error): void {
    const member = this.member;
    if (this.stopping || this.suspension || this.restarting || !member) return;
    member.pause();
    this.core.revokeAll();
    this.caughtUp.clear();
    const context = { group: this.opts.consumerGroup, topic: this.topic, partitions: member.assignedPartitions() };
    const waitMs = this.postgres.failed(
      error,
      'fetching paused, work since the last checkpoint dropped; taking the partitions again with back-off',
      context,
    );
    this.emitter.emit('paused', { reason: error.message });
    this.suspension = this.recover(member, waitMs)
      .catch((err) => this.logger.error(`processor of "${this.topic}" could not resume: ${(err as Error).message}`))
      .finally(() => {
        this.suspension = undefined;
      });
  }

  /** The retry loop of a suspension: ends when the partitions are taken again, or the member was replaced. */
  private async recover(member: GroupMember, firstWaitMs: number): Promise<void> {
    let waitMs = firstWaitMs;
    for (;;) {
      if (!(await this.wait(waitMs)) || this.member !== member) return;
      const partitions = member.assignedPartitions();
      try {
        this.core.revokeAll();
        const positions = await this.core.assign(partitions);
        if (this.member !== member) return;
        const now = member.assignedPartitions();
        if (now.length !== partitions.length || now.some((p, i) => p !== partitions[i])) {
          waitMs = 0; // a rebalance moved partitions meanwhile: take the new set
          continue;
        }
        member.rewind(await this.startOffsets(positions));
        await this.markCaughtUp(partitions, positions);
        const outage = this.postgres.recovered({ topic: this.topic, partitions });
        this.emitter.emit('assigned', { partitions });
        this.emitter.emit('resumed', { partitions, outageMs: outage?.durationMs ?? 0 });
        member.resume();
        return;
      } catch (err) {
        this.core.revokeAll();
        waitMs = this.postgres.failed(err as Error, 'still paused', { topic: this.topic, partitions });
      }
    }
  }

  /** Where to read each partition from: its checkpoint, or the start of its log when it has none yet. */
  private async startOffsets(positions: ReadonlyMap<number, string | null>): Promise<Map<number, string>> {
    const starts = new Map<number, string>();
    const ranges = [...positions.values()].includes(null) ? await this.kafka.admin.offsetRanges(this.topic) : undefined;
    for (const [p, next] of positions) starts.set(p, next ?? String(ranges?.get(p)?.start ?? 0n));
    return starts;
  }

  /** Waits `ms` unless the processor closes meanwhile; false when it did. */
  private async wait(ms: number): Promise<boolean> {
    if (this.stopping) return false;
    const sleep = interruptibleSleep(ms);
    this.interruptWait = sleep.interrupt;
    await sleep.done;
    this.interruptWait = undefined;
    return !this.stopping;
  }

  /**
   * Drops all partitions and state and joins the group again: state comes back from Postgres. Restarts in a row
   * (no checkpoint committed between them) wait longer each time, and a rejoin Kafka refuses is tried again.
   */
  private restart(reason: string): Promise<void> {
    if (this.stopping) return Promise.resolve();
    this.restarting ??= (async () => {
      this.logger.warn(`processor of "${this.topic}" restarts: ${reason}`);
      this.emitter.emit('restart', { reason });
      const leaving = this.member;
      this.member = undefined;
      await leaving?.close().catch(() => undefined);
      this.core.revokeAll();
      this.caughtUp.clear();
      const backoff = { initialMs: 2 * this.backoff.initialMs, maxMs: 6 * this.backoff.maxMs };
      for (let attempt = 1; ; attempt++) {
        if (!(await this.wait(backoffDelay(++this.restartsInRow, backoff)))) return;
        try {
          await this.join();
          return;
        } catch (err) {
          // Kafka away: kafkajs logs its own retries; one line here says the processor keeps trying.
          const log = attempt === 1 ? this.logger.warn : this.logger.debug;
          log.call(
            this.logger,
            `processor of "${this.topic}" could not rejoin, retrying with back-off: ${(err as Error).message}`,
          );
        }
      }
    })().finally(() => {
      this.restarting = undefined;
    });
    return this.restarting;
  }

  /** Stops fetching, checkpoints what was processed, leaves the group. */
  async close(): Promise<void> {
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    this.stopping = true;
    this.interruptWait?.();
    await this.restarting;
    await this.suspension;
    await this.member?.drain();
    await this.checkpoint(true);
    await this.kafkaCommits;
    await this.member?.close();
    this.core.revokeAll();
  }
}

/** The default decoder: the streams wire format (json/1). */
function decodeStreamMessage(partition: number, m: RawMessage): ConsumedMessage {
  const d = decode(m.key, m.headers, m.value);
  return { partition, offset: m.offset, streamId: d.streamId, message: d.message };
}

import {
  type Assigner,
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type PartitionAssigner,
  PartitionAssigners,
} from 'kafkajs';
import { StreamsClosedError, StreamsConfigError } from '../core/errors';
import type { StreamsLogger } from '../core/logger';
import type { GroupMember, GroupMemberHooks, GroupMemberOptions } from '../port';
import { whileLeadersSettle } from './while-leaders-settle';

/**
 * One member of a consumer group on one topic, over kafkajs' eachBatch: partition assignment as awaited
 * hooks, batches handed over only once their partition is ready, positions from the caller (e.g. offsets
 * stored in Postgres), and commits of finished offsets to Kafka. kafkajs has no rebalance listener, so
 * "revoking" is detected from the heartbeat (REBALANCE_IN_PROGRESS) and kafkajs' REBALANCING event, and
 * the assignment from GROUP_JOIN.
 *
 * Handover (eager protocol: every member gives up its partitions, then the leader assigns them again): no
 * member may get a partition before its previous owner saved its work (`onRevoking`), or the new owner's
 * takeover fences that save and the previous owner has to restart from its checkpoint. kafkajs sends the
 * JoinGroup right after REBALANCING without waiting for a listener, so two holds instead:
 * - a rebalance seen inside a batch (its heartbeat, and one at the end of every batch) holds the batch until
 *   `onRevoking` resolved: kafkajs rejoins only once its batches returned;
 * - when this member leads the group, its assignment (the step every member waits for in SyncGroup) waits
 *   for its own `onRevoking`.
 * Both holds are bounded (half the session timeout) so that a slow save never costs the group; fencing keeps
 * a late save from writing anything then.
 */
export class KafkajsGroupMember implements GroupMember {
  private consumer: Consumer | undefined;
  private assigned = new Set<number>();
  private readonly ready = new Map<number, Promise<Map<number, string | null> | undefined>>();
  private readonly startAt = new Map<number, string>();
  private readonly finished = new Map<number, string>(); // partition → next offset to read
  private readonly committed = new Map<number, string>();
  private readonly active = new Set<Promise<void>>();
  private revoking: Promise<void> | undefined;
  /** Crashes since kafkajs last worked (a join or a batch): an outage is logged once, not per restart. */
  private crashes = 0;
  private closing = false;
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: GroupMemberOptions,
    private readonly hooks: GroupMemberHooks,
    private readonly logger: StreamsLogger,
  ) {}

  get topic(): string {
    return this.opts.topic;
  }

  async start(): Promise<void> {
    if (this.consumer)
      throw new StreamsConfigError(`a member of "${this.opts.groupId}" on "${this.topic}" is already started`);
    if (this.closed)
      throw new StreamsClosedError(
        `the member of "${this.opts.groupId}" on "${this.topic}" was closed; create a new one`,
      );
    const consumer = this.kafka.consumer({
      groupId: this.opts.groupId,
      sessionTimeout: this.opts.sessionTimeoutMs,
      heartbeatInterval: this.opts.heartbeatIntervalMs,
      rebalanceTimeout: Math.max(this.opts.sessionTimeoutMs * 3, 30_000),
      allowAutoTopicCreation: false,
      partitionAssigners: [this.handoverAssigner(PartitionAssigners.roundRobin)],
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => this.onGroupJoin(e.payload.memberAssignment[this.topic] ?? []));
    consumer.on(consumer.events.REBALANCING, () => void this.startRevoking());
    consumer.on(consumer.events.CRASH, (e) => {
      // kafkajs restarts its consumer after a crash with back-off of its own (retry options); while the broker
      // stays away that is one crash per attempt, so only the first of a row is an error line.
      const log = this.crashes++ === 0 || !e.payload.restart ? this.logger.error : this.logger.debug;
      log.call(this.logger, `consumer of "${this.topic}" crashed: ${e.payload.error.message}`, {
        restart: e.payload.restart,
        crashes: this.crashes,
      });
      this.hooks.onCrash?.(e.payload.error);
    });
    await consumer.connect();
    await whileLeadersSettle(() => consumer.subscribe({ topic: this.topic, fromBeginning: this.opts.fromBeginning }));
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.track(this.runBatch(payload)),
    });
  }

  private async track(p: Promise<void>): Promise<void> {
    this.active.add(p);
    try {
      await p;
    } finally {
      this.active.delete(p);
    }
  }

  private onGroupJoin(partitions: number[]): void {
    this.worked();
    this.revoking = undefined;
    const next = new Set(partitions);
    const revoked = [...this.assigned].filter((p) => !next.has(p));
    const added = partitions.filter((p) => !this.assigned.has(p));
    this.assigned = next;
    for (const p of revoked) {
      this.ready.delete(p);
      this.startAt.delete(p);
      this.finished.delete(p);
      this.committed.delete(p);
    }
    if (revoked.length > 0) this.hooks.onRevoked?.(revoked);
    this.hooks.onJoined?.([...next]);
    if (added.length > 0) {
      const loading = Promise.resolve(this.hooks.onAssigned?.(added));
      for (const p of added) this.ready.set(p, loading);
      loading.then(
        (positions) => {
          for (const [p, offset] of positions ?? [])
            if (offset !== null && this.assigned.has(p)) this.startAt.set(p, offset);
        },
        (err) =>
          this.logger.error(
            `loading partitions ${added.join(', ')} of "${this.topic}" failed: ${(err as Error).message}`,
          ),
      );
    }
  }

  /**
   * The given assigner (same name and version, so members of other builds agree on it), whose assignment, when
   * this member leads, waits until this member's revoked partitions are saved.
   */
  private handoverAssigner(inner: PartitionAssigner): PartitionAssigner {
    return (config) => {
      const assigner = inner(config);
      const wrapped: Assigner = {
        name: assigner.name,
        version: assigner.version,
        protocol: (subscription) => assigner.protocol(subscription),
        assign: async (group) => {
          await this.revocationSaved();
          return assigner.assign(group);
        },
      };
      return wrapped;
    };
  }

  /** Waits for the running revocation (if any) to finish, at most half the session timeout. */
  private async revocationSaved(): Promise<void> {
    const revoking = this.revoking;
    if (!revoking) return;
    let timer: NodeJS.Timeout | undefined;
    const limitMs = Math.floor(this.opts.sessionTimeoutMs / 2);
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), limitMs);
    });
    try {
      if (await Promise.race([revoking.then(() => false), late]))
        this.logger.warn(
          `revocation handling of "${this.topic}" takes longer than ${limitMs} ms: handing the partitions over without waiting`,
        );
    } finally {
      clearTimeout(timer);
    }
  }

  private startRevoking(): Promise<void> {
    this.revoking ??= (async () => {
      try {
        await this.hooks.onRevoking?.();
      } catch (err) {
        this.logger.error(`revocation handling of "${this.topic}" failed: ${(err as Error).message}`);
      }
    })();
    return this.revoking;
  }

  private worked(): void {
    if (this.crashes > 0)
      this.logger.info(`consumer of "${this.topic}" works again after ${this.crashes} crash(es)`, {
        crashes: this.crashes,
      });
    this.crashes = 0;
  }

  private async runBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { partition } = batch;
    this.worked();
    const loading = this.ready.get(partition);
    if (loading) await loading; // a rejected load surfaces as a crash of this batch, and kafkajs retries it
    if (this.closing || !isRunning() || isStale() || batch.messages.length === 0) return;
    let messages = batch.messages;
    const start = this.startAt.get(partition);
    if (start !== undefined) {
      const first = BigInt(messages[0].offset);
      const want = BigInt(start);
      if (first > want) {
        // Kafka's position is past ours (committed there by someone else): go back to ours.
        this.consumer?.seek({ topic: this.topic, partition, offset: start });
        return;
      }
      if (first < want) messages = messages.filter((m) => BigInt(m.offset) >= want);
      this.startAt.delete(partition);
      if (messages.length === 0) {
        resolveOffset(batch.lastOffset());
        return;
      }
    }
    let done: string | undefined;
    const flushDone = () => {
      if (done === undefined) return;
      resolveOffset(done);
      this.finished.set(partition, (BigInt(done) + 1n).toString());
    };
    // kafkajs sends a heartbeat only once the interval passed since the last; one that finds the group
    // rebalancing holds this batch until what is done is saved (kafkajs rejoins once its batches returned).
    const beat = async () => {
      flushDone();
      try {
        await heartbeat();
      } catch (err) {
        if ((err as { type?: string }).type === 'REBALANCE_IN_PROGRESS') {
          void this.startRevoking();
          await this.revocationSaved();
        }
        throw err;
      }
    };
    await this.hooks.onBatch(partition, messages, {
      done: (offset) => {
        done = offset;
      },
      heartbeat: beat,
      stopping: () => this.closing || !isRunning() || isStale(),
      lag: () => Number(batch.offsetLag()),
    });
    // Here rather than in kafkajs after the batch, where a rebalance would be seen outside it.
    await beat();
  }

  /** Next offsets of finished messages not yet committed to Kafka. */
  uncommitted(): { partition: number; offset: string }[] {
    return [...this.finished]
      .filter(([p, o]) => this.committed.get(p) !== o)
      .map(([partition, offset]) => ({ partition, offset }));
  }

  /** Commits the given (or all finished) offsets to Kafka. */
  async commit(offsets = this.uncommitted()): Promise<{ partition: number; offset: string }[]> {
    if (!this.consumer || offsets.length === 0) return [];
    await this.consumer.commitOffsets(offsets.map((o) => ({ topic: this.topic, ...o })));
    for (const o of offsets) this.committed.set(o.partition, o.offset);
    return offsets;
  }

  /**
   * Stops fetching every partition of the topic, present and future (kafkajs keeps a topic-wide pause across
   * rebalances), while the member stays in the group and keeps heartbeating: what is not fetched takes no memory.
   */
  pause(): void {
    this.consumer?.pause([{ topic: this.topic }]);
  }

  resume(): void {
    this.consumer?.resume([{ topic: this.topic }]);
  }

  /**
   * Reads the partitions again from the given next offsets (e.g. the last checkpoint, after the work since was
   * dropped): the next batches start there, whatever was fetched or finished before.
   */
  rewind(positions: ReadonlyMap<number, string>): void {
    for (const [partition, offset] of positions) {
      if (!this.assigned.has(partition)) continue;
      this.startAt.set(partition, offset);
      this.finished.delete(partition);
      this.consumer?.seek({ topic: this.topic, partition, offset });
    }
  }

  assignedPartitions(): number[] {
    return [...this.assigned].sort((a, b) => a - b);
  }

  /** Stops taking batches and waits for running ones. The member is still in the group (commit now). */
  async drain(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.active]);
  }

  /** Leaves the group. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.drain();
    await this.consumer?.disconnect();
    this.closed = true;
  }
}

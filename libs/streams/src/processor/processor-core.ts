import { StreamsError } from '../core/errors';
import type { StreamsLogger } from '../core/logger';
import type { CheckpointBatch, CheckpointStore, OutboxRecord, PartitionCheckpoint } from '../postgres/checkpoint-store';
import type { StoreChanges } from '../postgres/state-codec';
import type { ConsumedMessage, Topology } from './topology';

interface Owned {
  epoch: number;
  /** Next offset to read: after the last processed message, or where the checkpoint said. */
  next: string | null;
  dirty: boolean;
}

export interface ProcessorCoreOptions<R, M = ConsumedMessage> {
  group: string;
  topic: string;
  ownerId: string;
  store: CheckpointStore;
  topology: Topology<R, M>;
  logger: StreamsLogger;
}

/**
 * The exactly-once loop without Kafka: ownership of partitions (acquire from Postgres, restore state),
 * processing under a lock, and the checkpoint. The checkpoint order, in one place:
 *
 *   1. drain results and outbox records; collect each operator's state changes and the next offsets
 *   2. one Postgres transaction: result rows → state → outbox → offsets, fenced by the owner epoch
 *   3. after COMMIT the caller commits the offsets to Kafka, for lag tools (Postgres stays the source of
 *      truth); the operators' state was marked checkpointed when it was taken in step 1
 *
 * Step 1 runs when the checkpoint is asked for, synchronously, and copies what it takes, so processing goes
 * on while the transaction runs: a checkpoint holds every batch processed before the call whole, and batches
 * after it go into the next one. The transactions run one at a time, in call order (a partition's offsets
 * only move forward); a checkpoint asked for while one runs takes its step 1 at once and commits after it. So
 * a caller that stops processing and checkpoints (a revocation) leaves nothing unsaved from that moment on.
 * A failed checkpoint leaves the in-memory state ahead of Postgres: it and every later checkpoint are refused
 * until the caller drops all partitions (revokeAll) and acquires them again, which replays from the
 * checkpointed offsets.
 */
export class ProcessorCore<R, M = ConsumedMessage> {
  private readonly owned = new Map<number, Owned>();
  private deadLetters: OutboxRecord[] = [];
  private checkpointing: Promise<{ partition: number; offset: string }[]> | undefined;
  private failed: Error | undefined;
  /** Counts revokeAll calls: a checkpoint taken before one must not be written after it. */
  private resets = 0;

  constructor(private readonly opts: ProcessorCoreOptions<R, M>) {}

  /** Takes the partitions over: a new owner epoch each (fencing earlier owners), state restored. Returns where to read from. */
  async assign(partitions: readonly number[]): Promise<Map<number, string | null>> {
    const positions = new Map<number, string | null>();
    for (const p of partitions) {
      const acquired = await this.opts.store.acquire(this.opts.group, this.opts.topic, p, this.opts.ownerId);
      for (const s of this.opts.topology.states) s.restore(p, acquired.state.get(s.name));
      this.owned.set(p, { epoch: acquired.epoch, next: acquired.nextOffset, dirty: false });
      positions.set(p, acquired.nextOffset);
    }
    return positions;
  }

  /**
   * The partitions went to another member. Work on them that no checkpoint holds cannot be separated from
   * the topology's pending output any more, and writing it would put rows in Postgres that no saved state or
   * offset matches: the core then refuses to checkpoint until revokeAll (the caller restarts).
   */
  revoke(partitions: readonly number[]): void {
    for (const p of partitions) {
      const owned = this.owned.get(p);
      if (!owned) continue;
      if (owned.dirty)
        this.failed ??= new StreamsError(
          `partition ${p} of "${this.opts.topic}" was revoked with work not yet checkpointed`,
          { context: { partition: p } },
        );
      this.owned.delete(p);
      for (const s of this.opts.topology.states) s.revoke(p);
    }
  }

  /** Drops every partition and all output not yet checkpointed: the state of Postgres is the truth again. */
  revokeAll(): void {
    for (const p of this.owned.keys()) for (const s of this.opts.topology.states) s.revoke(p);
    this.owned.clear();
    this.opts.topology.drain();
    this.deadLetters = [];
    this.failed = undefined;
    this.resets++;
  }

  /** The next offset to process in the partition (null: never read or checkpointed), or undefined if not owned. */
  position(partition: number): string | null | undefined {
    return this.owned.get(partition)?.next;
  }

  ownedPartitions(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
  }

  /** Processes one partition's batch. */
  async process(
    partition: number,
    messages: readonly M[],
    lastOffset: string,
    deadLetters: readonly OutboxRecord[] = [],
  ): Promise<void> {
    const owned = this.owned.get(partition);
    if (!owned) return; // revoked meanwhile: the new owner reads these again
    if (messages.length > 0) this.opts.topology.process(partition, messages);
    for (const d of deadLetters) this.deadLetters.push(d);
    owned.next = (BigInt(lastOffset) + 1n).toString();
    owned.dirty = true;
  }

  /** Wall-clock time for the topology (idle partitions advance; due windows close). */
  tick(now: number): void {
    this.opts.topology.tick(now);
  }

  /**
   * Takes a checkpoint of everything processed until now; its transaction runs after the one in flight, if
   * any. Resolves with the offsets now safe in Postgres (empty when there was nothing to save).
   */
  checkpoint(): Promise<{ partition: number; offset: string }[]> {
    if (this.failed) return Promise.reject(this.failed);
    const taken = this.take();
    const previous = this.checkpointing;
    const resets = this.resets;
    const run = (async () => {
      if (previous) await previous.catch(() => undefined);
      if (resets !== this.resets) return []; // its partitions were dropped meanwhile
      if (this.failed) throw this.failed; // what this one took builds on what failed: it cannot be written
      if (!taken) return [];
      await this.opts.store.commit(taken.commit);
      return taken.offsets;
    })().catch((err: Error) => {
      this.failed ??= err;
      throw err;
    });
    this.checkpointing = run;
    const clear = () => {
      if (this.checkpointing === run) this.checkpointing = undefined;
    };
    run.then(clear, clear);
    return run;
  }

  /** Step 1: what the next transaction writes, or undefined when there is nothing to save. */
  private take(): { commit: CheckpointBatch; offsets: { partition: number; offset: string }[] } | undefined {
    const { topology, group, topic } = this.opts;
    // Synchronous: take results, outbox, state changes and offsets, as copies — batches processed while the
    // transaction runs must not change what it writes.
    const drained = topology.drain();
    const results = structuredClone(drained.results);
    const outbox = this.deadLetters.length > 0 ? [...this.deadLetters, ...drained.outbox] : drained.outbox;
    this.deadLetters = [];
    const parts: PartitionCheckpoint[] = [];
    for (const [partition, owned] of this.owned) {
      // Never read and never checkpointed: nothing to save, and no offset to save it at.
      if (owned.next === null) continue;
      if (!owned.dirty && results.length === 0 && outbox.length === 0) continue;
      const state: Record<string, StoreChanges> = {};
      for (const s of topology.states) {
        const c = s.changes(partition);
        if (c) state[s.name] = structuredClone(c);
        s.markCheckpointed(partition);
      }
      owned.dirty = false;
      parts.push({ topic, partition, epoch: owned.epoch, nextOffset: owned.next, state });
    }
    if (parts.length === 0 && results.length === 0 && outbox.length === 0) return undefined;
    // Step 2 (the caller runs it): one transaction. The state was marked checkpointed above; if the transaction
    // fails, the core refuses further checkpoints until the partitions are acquired again.
    return {
      commit: { group, partitions: parts, outbox, sink: (client) => topology.writeResults(client, results) },
      offsets: parts.map((p) => ({ partition: p.partition, offset: String(p.nextOffset) })),
    };
  }
}

import { StreamsError } from '../core/errors';
import type { StreamsLogger } from '../core/logger';
import type { CheckpointStore, OutboxRecord, PartitionCheckpoint } from '../postgres/checkpoint-store';
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
 * Step 1 is synchronous and copies what it takes, so processing goes on while the transaction runs: a
 * checkpoint holds every batch whole or not at all, and batches after it go into the next one. Only one
 * checkpoint runs at a time. A failed checkpoint leaves the in-memory state ahead of Postgres: every later
 * checkpoint is refused until the caller drops all partitions (revokeAll) and acquires them again, which
 * replays from the checkpointed offsets.
 */
export class ProcessorCore<R, M = ConsumedMessage> {
  private readonly owned = new Map<number, Owned>();
  private deadLetters: OutboxRecord[] = [];
  private checkpointing: Promise<{ partition: number; offset: string }[]> | undefined;
  private failed: Error | undefined;

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
   * Runs a checkpoint; if one is in flight, runs after it. Resolves with the offsets now safe in Postgres
   * (empty when there was nothing to save).
   */
  async checkpoint(): Promise<{ partition: number; offset: string }[]> {
    while (this.checkpointing) await this.checkpointing.catch(() => undefined);
    if (this.failed) throw this.failed;
    const run = this.runCheckpoint();
    this.checkpointing = run;
    try {
      return await run;
    } catch (err) {
      this.failed = err as Error;
      throw err;
    } finally {
      this.checkpointing = undefined;
    }
  }

  private async runCheckpoint(): Promise<{ partition: number; offset: string }[]> {
    const { topology, store, group, topic } = this.opts;
    // Step 1, synchronous: take results, outbox, state changes and offsets, as copies — batches processed
    // while the transaction runs must not change what it writes.
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
    if (parts.length === 0 && results.length === 0 && outbox.length === 0) return [];
    // Step 2: one transaction. Step 3 (the state marked checkpointed) happened above; if this fails, the
    // core refuses further checkpoints until the partitions are acquired again.
    await store.commit({ group, partitions: parts, outbox, sink: (client) => topology.writeResults(client, results) });
    return parts.map((p) => ({ partition: p.partition, offset: String(p.nextOffset) }));
  }
}

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
 *   3. only after COMMIT: mark the operators' state checkpointed (and the caller commits offsets to
 *      Kafka, for lag tools — Postgres stays the source of truth)
 *
 * Batches wait while a checkpoint is in flight, so a checkpoint sees every batch whole or not at all.
 * A failed checkpoint leaves the in-memory state ahead of Postgres: the caller must drop the partitions
 * (revokeAll) and acquire them again, which replays from the checkpointed offsets.
 */
export class ProcessorCore<R, M = ConsumedMessage> {
  private readonly owned = new Map<number, Owned>();
  private deadLetters: OutboxRecord[] = [];
  private checkpointing: Promise<{ partition: number; offset: string }[]> | undefined;

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

  revoke(partitions: readonly number[]): void {
    for (const p of partitions) {
      if (!this.owned.delete(p)) continue;
      for (const s of this.opts.topology.states) s.revoke(p);
    }
  }

  revokeAll(): void {
    this.revoke([...this.owned.keys()]);
  }

  ownedPartitions(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
  }

  /** Processes one partition's batch (after any checkpoint in flight). Messages before the checkpointed offset are skipped. */
  async process(
    partition: number,
    messages: readonly M[],
    lastOffset: string,
    deadLetters: readonly OutboxRecord[] = [],
  ): Promise<void> {
    while (this.checkpointing) await this.checkpointing.catch(() => undefined);
    const owned = this.owned.get(partition);
    if (!owned) return; // revoked meanwhile: the new owner reads these again
    if (messages.length > 0) this.opts.topology.process(partition, messages);
    for (const d of deadLetters) this.deadLetters.push(d);
    owned.next = (BigInt(lastOffset) + 1n).toString();
    owned.dirty = true;
  }

  /** Wall-clock time for the topology; skipped while a checkpoint is in flight (the next tick catches up). */
  tick(now: number): void {
    if (this.checkpointing) return;
    this.opts.topology.tick(now);
  }

  /** Runs a checkpoint unless one is in flight (then returns that one). Resolves with the offsets now safe in Postgres. */
  checkpoint(): Promise<{ partition: number; offset: string }[]> {
    this.checkpointing ??= this.runCheckpoint().finally(() => {
      this.checkpointing = undefined;
    });
    return this.checkpointing;
  }

  private async runCheckpoint(): Promise<{ partition: number; offset: string }[]> {
    const { topology, store, group, topic } = this.opts;
    const drained = topology.drain();
    const { results } = drained;
    const outbox = this.deadLetters.length > 0 ? [...this.deadLetters, ...drained.outbox] : drained.outbox;
    this.deadLetters = [];
    const parts: PartitionCheckpoint[] = [];
    for (const [partition, owned] of this.owned) {
      // Never read and never checkpointed: nothing to save, and no offset to save it at.
      if (owned.next === null) continue;
      const state: Record<string, StoreChanges> = {};
      for (const s of topology.states) {
        const c = s.changes(partition);
        if (c) state[s.name] = c;
      }
      if (!owned.dirty && results.length === 0 && outbox.length === 0) continue;
      parts.push({ topic, partition, epoch: owned.epoch, nextOffset: owned.next, state });
    }
    if (parts.length === 0 && results.length === 0 && outbox.length === 0) return [];
    await store.commit({ group, partitions: parts, outbox, sink: (client) => topology.writeResults(client, results) });
    for (const p of parts) {
      const owned = this.owned.get(p.partition);
      if (owned) owned.dirty = false;
      for (const s of topology.states) s.markCheckpointed(p.partition);
    }
    return parts.map((p) => ({ partition: p.partition, offset: String(p.nextOffset) }));
  }
}

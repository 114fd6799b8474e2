import type { PoolClient } from 'pg';
import type { StreamMessage } from '../core/model/codec';
import type { OutboxRecord } from '../postgres/checkpoint-store';
import type { StoreChanges, StoredState } from '../postgres/state-codec';

/** One decoded message of the input topic, as a topology sees it. */
export interface ConsumedMessage {
  partition: number;
  offset: string;
  streamId: string;
  message: StreamMessage;
}

/** State an operator keeps per partition, saved in every checkpoint and loaded on assignment. */
export interface CheckpointedState {
  /** Unique within the topology; names the state's rows in Postgres. */
  readonly name: string;
  restore(partition: number, state: StoredState | undefined): void;
  /** What changed since the last checkpoint; undefined when nothing did. */
  changes(partition: number): StoreChanges | undefined;
  markCheckpointed(partition: number): void;
  revoke(partition: number): void;
}

/**
 * What the app gives a StreamProcessor: its operators' state, how a batch is processed (synchronously:
 * the checkpoint must see a batch whole or not at all), and how results are written. Results and outbox
 * records produced since the last checkpoint are drained and written in its transaction.
 */
export interface Topology<R, M = ConsumedMessage> {
  readonly states: readonly CheckpointedState[];
  process(partition: number, messages: readonly M[]): void;
  /** Wall-clock time passes (idle partitions advance; windows of quiet entities close). */
  tick(now: number): void;
  drain(): { results: R[]; outbox: OutboxRecord[] };
  /** Writes results with the checkpoint transaction's client: batched SQL, one statement per table. */
  writeResults(client: PoolClient, results: R[]): Promise<void>;
}

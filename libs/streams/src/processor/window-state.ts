import type { WindowedAggregation } from '../core/processing/windowed-aggregation';
import { windowSnapshotFromState, windowStoreChanges } from '../postgres/state-codec';
import type { CheckpointedState } from './topology';

/** A WindowedAggregation's state as a CheckpointedState (rows per key plus one meta row per partition). */
export function windowState<V, A, R>(name: string, op: WindowedAggregation<V, A, R>): CheckpointedState {
  return {
    name,
    restore: (p, state) => op.restore(p, windowSnapshotFromState<A>(state)),
    changes: (p) => windowStoreChanges(op.changes(p)),
    markCheckpointed: (p) => op.markCheckpointed(p),
    revoke: (p) => op.revoke(p),
  };
}

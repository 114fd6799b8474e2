import type { PartitionedStores } from '../core/state/keyed-store';
import { keyedSnapshotFromState, keyedStoreChanges } from '../postgres/state-codec';
import type { CheckpointedState } from './topology';

/** Per-partition KeyedStores (app state such as a meter's readings) as a CheckpointedState. */
export function keyedState<V>(name: string, stores: PartitionedStores<V>): CheckpointedState {
  return {
    name,
    restore: (p, state) => void stores.assign(p, keyedSnapshotFromState<V>(state)),
    changes: (p) => {
      const store = stores.get(p);
      return store ? keyedStoreChanges(store.changes()) : undefined;
    },
    markCheckpointed: (p) => stores.get(p)?.markClean(),
    revoke: (p) => stores.revoke(p),
  };
}

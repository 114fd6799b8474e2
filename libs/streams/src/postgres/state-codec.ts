import {
  KEYED_STORE_SNAPSHOT_FORMAT,
  type KeyedStoreChanges,
  type KeyedStoreSnapshot,
} from '../core/state/keyed-store';
import type { KeyEntry, WindowChanges, WindowEntry, WindowSnapshot } from '../core/state/window-store';

/**
 * What a store changed since its last checkpoint, in the shape the checkpoint tables hold: the per-partition
 * fields (`meta`, written whole when given) and per-key rows (`upserts` replace a key's row, `deletes` remove it;
 * deletes apply first, so a key in both ends upserted). Everything must be plain JSON.
 */
export interface StoreChanges {
  meta?: unknown;
  upserts?: ReadonlyArray<readonly [key: string, value: unknown]>;
  deletes?: readonly string[];
}

/** A store's checkpointed state for one partition, as `acquire` loads it. */
export interface StoredState {
  meta: unknown;
  entries: Array<[key: string, value: unknown]>;
}

type WindowMeta<A> = Omit<WindowSnapshot<A>, 'keys'>;

/**
 * `WindowedAggregation.changes(p)` → rows: the small fields as meta, one row per key with its windows (open
 * and closed ones kept for restatement). A key's row is its window list, or with key-level closing
 * `{ windows, clockTime }` (the time of its clock group).
 */
export function windowStoreChanges<A>(changes: WindowChanges<A>): StoreChanges {
  const { upserts, deletes, ...meta } = changes;
  return { meta, upserts: upserts.map(windowRow), deletes };
}

/** Loaded rows → the `restore(p, snapshot)` argument (undefined when the store never checkpointed). */
export function windowSnapshotFromState<A>(state: StoredState | undefined): WindowSnapshot<A> | undefined {
  if (!state) return undefined;
  const meta = state.meta as WindowMeta<A>;
  return { ...meta, keys: state.entries.map(([key, value]) => keyEntry<A>(key, value)) };
}

type ClockedRow<A> = { windows: WindowEntry<A>[]; clockTime: number };

function windowRow<A>([key, windows, clockTime]: KeyEntry<A>): readonly [string, unknown] {
  return [key, clockTime === undefined ? windows : ({ windows, clockTime } satisfies ClockedRow<A>)];
}

function keyEntry<A>(key: string, value: unknown): KeyEntry<A> {
  if (Array.isArray(value)) return [key, value as WindowEntry<A>[]];
  const { windows, clockTime } = value as ClockedRow<A>;
  return [key, windows, clockTime];
}

/** `KeyedStore.changes()` → rows: `now` as meta, one row `[value, touchedAt]` per key. */
export function keyedStoreChanges<V>(changes: KeyedStoreChanges<V>): StoreChanges {
  return {
    meta: { format: KEYED_STORE_SNAPSHOT_FORMAT, now: changes.now },
    upserts: changes.upserts.map(([key, value, touchedAt]) => [key, [value, touchedAt]] as const),
    deletes: changes.deletes,
  };
}

/** Loaded rows → the `KeyedStore.restore(snapshot)` argument. */
export function keyedSnapshotFromState<V>(state: StoredState | undefined): KeyedStoreSnapshot<V> | undefined {
  if (!state) return undefined;
  const meta = state.meta as { now: number | null };
  return {
    format: KEYED_STORE_SNAPSHOT_FORMAT,
    now: meta.now,
    entries: state.entries.map(([key, v]) => {
      const [value, touchedAt] = v as [V, number];
      return [key, value, touchedAt];
    }),
  };
}

/**
 * Last write wins per key, deletes of keys also upserted are dropped: one `INSERT … ON CONFLICT DO UPDATE` may not
 * touch a row twice, and the stored result must equal applying deletes then upserts.
 */
export function normaliseChanges(changes: StoreChanges): {
  upserts: Array<[string, unknown]>;
  deletes: string[];
} {
  const upserts = new Map<string, unknown>();
  for (const [key, value] of changes.upserts ?? []) upserts.set(key, value);
  const deletes = [...new Set(changes.deletes ?? [])].filter((k) => !upserts.has(k));
  return { upserts: [...upserts], deletes };
}

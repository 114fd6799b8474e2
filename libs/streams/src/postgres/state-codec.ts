import type { ClosedKeyEntry } from '../core/state/closed-window-store';
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

type WindowMeta<A> = Omit<WindowSnapshot<A>, 'keys' | 'closed'>;

/**
 * `WindowedAggregation.changes(p)` → rows: the small fields as meta; one row per key with its open windows
 * (its value is the window list, or with key-level closing `{ windows, clockTime }`); and one row per closed
 * window kept for restatement, so a restatement rewrites one row, not the key's history. Closed rows are
 * keyed `\u0001<windowStart>\u0001<key>`; a key that itself starts with U+0001 is stored with one more in
 * front, so the two never collide and keys written by `/1` read back unchanged.
 */
export function windowStoreChanges<A>(changes: WindowChanges<A>): StoreChanges {
  const { upserts, deletes, closedUpserts, closedDeletes, ...meta } = changes;
  const rows: Array<readonly [string, unknown]> = upserts.map(windowRow);
  for (const [key, start, acc, version, revision] of closedUpserts ?? []) {
    rows.push([closedRowKey(key, start), [acc, version, revision]]);
  }
  const gone = deletes.map(openRowKey);
  for (const [key, start] of closedDeletes ?? []) gone.push(closedRowKey(key, start));
  return { meta, upserts: rows, deletes: gone };
}

/** Loaded rows → the `restore(p, snapshot)` argument (undefined when the store never checkpointed). */
export function windowSnapshotFromState<A>(state: StoredState | undefined): WindowSnapshot<A> | undefined {
  if (!state) return undefined;
  const meta = state.meta as WindowMeta<A>;
  const keys: KeyEntry<A>[] = [];
  const closed = new Map<string, Array<[number, A, number, number]>>();
  for (const [rowKey, value] of state.entries) {
    if (rowKey.charCodeAt(0) === 1 && rowKey.charCodeAt(1) !== 1) {
      const sep = rowKey.indexOf('\u0001', 1);
      const start = Number(rowKey.slice(1, sep));
      const key = rowKey.slice(sep + 1);
      const [acc, version, revision] = value as [A, number, number];
      let list = closed.get(key);
      if (list === undefined) {
        list = [];
        closed.set(key, list);
      }
      list.push([start, acc, version, revision]);
    } else {
      keys.push(keyEntry<A>(rowKey.charCodeAt(0) === 1 ? rowKey.slice(1) : rowKey, value));
    }
  }
  const closedEntries: ClosedKeyEntry<A>[] = [];
  for (const [key, list] of closed) closedEntries.push([key, list.sort((x, y) => x[0] - y[0])]);
  return { ...meta, keys, ...(closedEntries.length > 0 ? { closed: closedEntries } : {}) };
}

type ClockedRow<A> = { windows: WindowEntry<A>[]; clockTime: number };

function openRowKey(key: string): string {
  return key.charCodeAt(0) === 1 ? `\u0001${key}` : key;
}

function closedRowKey(key: string, start: number): string {
  return `\u0001${start}\u0001${key}`;
}

function windowRow<A>([key, windows, clockTime]: KeyEntry<A>): readonly [string, unknown] {
  return [openRowKey(key), clockTime === undefined ? windows : ({ windows, clockTime } satisfies ClockedRow<A>)];
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

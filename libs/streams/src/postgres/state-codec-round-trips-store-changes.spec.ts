import { KeyedStore } from '../core/state/keyed-store';
import { applyWindowChanges, type WindowChanges } from '../core/state/window-store';
import { streamsSchemaSql, streamsTables } from './schema';
import {
  keyedSnapshotFromState,
  keyedStoreChanges,
  normaliseChanges,
  type StoreChanges,
  type StoredState,
  windowSnapshotFromState,
  windowStoreChanges,
} from './state-codec';

/** What the tables do with StoreChanges: meta replaced, deletes then upserts per key (JSON round trip). */
function applyRows(base: StoredState | undefined, changes: StoreChanges): StoredState {
  const entries = new Map(base?.entries ?? []);
  const { upserts, deletes } = normaliseChanges(JSON.parse(JSON.stringify(changes)));
  for (const k of deletes) entries.delete(k);
  for (const [k, v] of upserts) entries.set(k, v);
  return { meta: changes.meta === undefined ? (base?.meta ?? null) : changes.meta, entries: [...entries] };
}

describe('state rows round-trip the core stores', () => {
  it('folds window changes into the same snapshot as applyWindowChanges', () => {
    const c1: WindowChanges<number> = {
      format: 'switchboard.windows/1',
      partition: 3,
      inputs: [[3, 1000, -1]],
      late: 0,
      duplicates: 0,
      closedKeys: [],
      upserts: [
        ['a', [[0, 1, 1]]],
        ['b', [[0, 2, 1]]],
      ],
      deletes: [],
    };
    const c2: WindowChanges<number> = {
      ...c1,
      inputs: [[3, 2000, -1]],
      late: 1,
      upserts: [['c', [[1000, 5, 1]]]],
      deletes: ['a'],
    };
    const rows = applyRows(applyRows(undefined, windowStoreChanges(c1)), windowStoreChanges(c2));
    const expected = applyWindowChanges(applyWindowChanges(undefined, c1), c2);
    const got = windowSnapshotFromState<number>(rows);
    expect(got).toEqual({ ...expected, keys: expect.arrayContaining(expected.keys) });
    expect(got?.keys).toHaveLength(expected.keys.length);
    expect(windowSnapshotFromState(undefined)).toBeUndefined();
  });

  it('keeps one row per closed window, apart from key rows even for a key starting with U+0001', () => {
    const odd = '\u00015\u0001x'; // looks like a closed-window row key: stored escaped
    const c1: WindowChanges<number> = {
      format: 'switchboard.windows/2',
      partition: 0,
      inputs: [[0, 9000, -1]],
      late: 0,
      duplicates: 0,
      restatements: 1,
      closedKeys: [],
      upserts: [
        [odd, [[8000, 1, 1]]],
        ['m', [[8000, 2, 1]], 8500],
      ],
      deletes: [],
      closedUpserts: [
        ['m', 1000, 7, 3, 1],
        ['m', 0, 5, 1, 0],
        [odd, 0, 1, 1, 0],
      ],
      closedDeletes: [],
    };
    const c2: WindowChanges<number> = {
      ...c1,
      upserts: [],
      closedUpserts: [['m', 1000, 8, 4, 2]],
      closedDeletes: [['m', 0]],
    };
    const rows = applyRows(applyRows(undefined, windowStoreChanges(c1)), windowStoreChanges(c2));
    expect(rows.entries.map(([k]) => k).sort()).toEqual(
      ['\u0001\u00015\u0001x', '\u00010\u0001\u00015\u0001x', '\u00011000\u0001m', 'm'].sort(),
    );
    const got = windowSnapshotFromState<number>(rows);
    const expected = applyWindowChanges(applyWindowChanges(undefined, c1), c2);
    expect(got).toEqual({
      ...expected,
      keys: expect.arrayContaining(expected.keys),
      closed: expect.arrayContaining(expected.closed ?? []),
    });
    expect(expected.closed).toEqual([
      ['m', [[1000, 8, 4, 2]]],
      [odd, [[0, 1, 1, 0]]],
    ]);
  });

  it('folds KeyedStore changes into a snapshot that restores the store', () => {
    const store = new KeyedStore<{ wh: number }>();
    store.set('m1', { wh: 1 }, 10);
    store.set('m2', { wh: 2 }, 20);
    const rows = applyRows(undefined, keyedStoreChanges(store.changes()));
    const restored = new KeyedStore<{ wh: number }>();
    restored.restore(
      keyedSnapshotFromState(rows) as NonNullable<ReturnType<typeof keyedSnapshotFromState<{ wh: number }>>>,
    );
    expect(restored.get('m2')).toEqual({ wh: 2 });
    expect(keyedSnapshotFromState(rows)?.entries).toEqual(store.snapshot().entries);
  });

  it('normalises a batch: last upsert wins, a key both deleted and upserted ends upserted', () => {
    expect(
      normaliseChanges({
        upserts: [
          ['k', 1],
          ['j', 1],
          ['k', 2],
        ],
        deletes: ['k', 'x', 'x'],
      }),
    ).toEqual({
      upserts: [
        ['k', 2],
        ['j', 1],
      ],
      deletes: ['x'],
    });
  });

  it('refuses a table prefix that is not a plain identifier, and names every table under it', () => {
    expect(() => streamsTables('x; DROP TABLE tenants; --')).toThrow(/not a plain identifier/);
    expect(() => streamsTables('Streams_')).toThrow(/a–z/);
    expect(streamsTables('app_').offsets).toBe('app_offsets');
    expect(streamsSchemaSql('app_').every((s) => /IF NOT EXISTS/.test(s))).toBe(true);
  });
});

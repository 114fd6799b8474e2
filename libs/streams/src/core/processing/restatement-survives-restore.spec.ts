import { windowSnapshotFromState, windowStoreChanges } from '../../postgres/state-codec';
import type { WindowSnapshot } from '../state/window-store';
import { sum } from './aggregators';
import type { WindowRow } from './record';
import { rec } from './spec-helpers';
import { WindowedAggregation } from './windowed-aggregation';
import { tumbling } from './windows';

const make = (rows: WindowRow<number>[]) =>
  new WindowedAggregation({
    window: tumbling(1000),
    aggregator: sum(),
    grace: 500,
    restateForMs: 60_000,
    emit: 'final',
    sink: rows,
    mode: 'replay',
  });

describe('closed windows kept for restatement, across a restore', () => {
  it('continue version and revision after a snapshot round trip: a restatement is never repeated', () => {
    const rows: WindowRow<number>[] = [];
    const a = make(rows);
    a.assign(0);
    a.process([rec('m', 100, 1), rec('m', 2000, 1)]); // [0, 1000) final v1
    a.process([rec('m', 200, 2)]); // restated: v2, revision 1
    const snap = JSON.parse(JSON.stringify(a.snapshot(0))) as WindowSnapshot<number>;
    expect(snap.format).toBe('switchboard.windows/2');
    expect(snap.keys).toEqual([
      [
        'm',
        [
          [0, 3, 2, 1, true],
          [2000, 1, 0],
        ],
      ],
    ]);
    expect(snap.restatements).toBe(1);

    const after: WindowRow<number>[] = [];
    const b = make(after);
    b.restore(0, snap);
    expect(b.stats(0)).toMatchObject({ closedWindows: 1, openWindows: 1, restatements: 1 });
    b.process([rec('m', 300, 4)]);
    expect(after).toEqual([
      {
        key: 'm',
        windowStart: 0,
        windowEnd: 1000,
        value: 7,
        final: true,
        version: 3,
        revision: 2,
        restated: true,
        partition: 0,
      },
    ]);
    expect(b.stats(0).restatements).toBe(2);
  });

  it('checkpoints a restated key as one upsert (not every key), and the Postgres rows restore it', () => {
    const rows: WindowRow<number>[] = [];
    const a = make(rows);
    a.assign(0);
    const keys = Array.from({ length: 50 }, (_, i) => `k${i}`);
    a.process(keys.map((k) => rec(k, 100, 1)));
    a.process([rec('k0', 5000, 1)]); // every [0, 1000) closes and is kept
    a.markCheckpointed(0);
    a.process([rec('k7', 900, 5)]);
    const changes = a.changes(0);
    expect(changes.upserts).toEqual([['k7', [[0, 6, 2, 1, true]]]]);
    expect(changes.deletes).toEqual([]);

    // the rows a checkpoint table holds (meta + one row per key), loaded back
    const full = windowStoreChanges(JSON.parse(JSON.stringify({ ...a.changes(0), upserts: a.snapshot(0).keys })));
    const restored = windowSnapshotFromState<number>({
      meta: full.meta,
      entries: (full.upserts ?? []).map(([k, v]) => [k, v]),
    });
    const after: WindowRow<number>[] = [];
    const b = make(after);
    b.restore(0, restored);
    b.process([rec('k7', 901, 1)]);
    expect(after).toEqual([expect.objectContaining({ key: 'k7', value: 7, version: 3, revision: 2, restated: true })]);
  });

  it('restores a switchboard.windows/1 snapshot (all its windows open, revision 0)', () => {
    const v1 = {
      format: 'switchboard.windows/1',
      partition: 0,
      inputs: [[0, 900, -1]],
      late: 2,
      duplicates: 0,
      keys: [['m', [[0, 5, 1]]]],
      closedKeys: [],
    } as unknown as WindowSnapshot<number>;
    const rows: WindowRow<number>[] = [];
    const b = make(rows);
    b.restore(0, v1);
    b.process([rec('m', 1500, 1)]); // [0, 1000) closes: final v2
    b.process([rec('m', 10, 1)]); // and is restated: v3, revision 1
    expect(rows.map((r) => [r.windowStart, r.value, r.version, r.revision, r.restated])).toEqual([
      [0, 5, 2, 0, false],
      [0, 6, 3, 1, true],
    ]);
    expect(b.stats(0)).toMatchObject({ late: 2, restatements: 1 });
  });
});

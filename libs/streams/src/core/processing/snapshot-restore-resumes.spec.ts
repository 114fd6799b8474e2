import { sum } from './aggregators';
import type { StreamRecord, WindowRow } from './record';
import { rec } from './spec-helpers';
import { WindowedAggregation } from './windowed-aggregation';
import { tumbling } from './windows';

describe('snapshot and restore', () => {
  const make = (rows: WindowRow<number>[]) =>
    new WindowedAggregation({ window: tumbling(1000), aggregator: sum(), grace: 200, sink: rows, inputs: undefined });
  const first: StreamRecord<number>[] = [rec('a', 100, 1), rec('b', 300, 2), rec('a', 1050, 4)];
  const rest: StreamRecord<number>[] = [rec('a', 900, 8), rec('b', 1300, 16), rec('a', 5000, 32)];

  it('resumes exactly where the snapshot was taken: same rows, same versions, same time', () => {
    const straight: WindowRow<number>[] = [];
    const s = make(straight);
    s.assign(0);
    s.process(first);
    const cut = straight.length;
    s.process(rest);

    const before: WindowRow<number>[] = [];
    const a = make(before);
    a.assign(0);
    a.process(first);
    const snap = JSON.parse(JSON.stringify(a.snapshot(0))); // what Postgres would hand back
    const after: WindowRow<number>[] = [];
    const b = make(after);
    b.restore(0, snap);
    expect(b.stats(0)).toMatchObject({ streamTime: 1050, keys: 2, openWindows: 3, dirtyKeys: 0 });
    b.process(rest);
    expect(before).toEqual(straight.slice(0, cut));
    expect(after).toEqual(straight.slice(cut));
    expect(b.snapshot(0)).toEqual(s.snapshot(0));
  });

  it('refuses a snapshot of another partition or format with a sentence saying what to pass', () => {
    const a = make([]);
    a.assign(3);
    const snap = a.snapshot(3);
    expect(() => a.restore(4, snap)).toThrow(/belongs to partition 3, not 4/);
    expect(() => a.restore(4, { ...snap, format: 'x' } as never)).toThrow(/switchboard.windows\/1/);
  });

  it('drops a partition on revocation; using it afterwards says to assign or restore it', () => {
    const a = make([]);
    a.assign(0);
    a.assign(1);
    a.process([rec('k', 1, 1, 1)]);
    a.revoke(1);
    expect(a.assigned()).toEqual([0]);
    expect(() => a.process([rec('k', 2, 1, 1)])).toThrow(/call assign\(1\) or restore\(1, snapshot\) first/);
  });
});

import { sum } from './aggregators';
import type { LateRecord, WindowRow } from './record';
import { rec } from './spec-helpers';
import { WindowedAggregation } from './windowed-aggregation';
import { hopping, tumbling } from './windows';

describe('a record for a window that closed but is within restateForMs', () => {
  const setup = () => {
    const rows: WindowRow<number>[] = [];
    const late: LateRecord<number>[] = [];
    const agg = new WindowedAggregation({
      window: tumbling(1000),
      aggregator: sum(),
      grace: 500,
      emit: 'final',
      restateForMs: 10_000,
      sink: rows,
      lateSink: late,
    });
    agg.assign(0);
    return { rows, late, agg };
  };

  it('is applied to the closed window, which is emitted once more: final, version + 1, revision + 1, restated', () => {
    const { rows, late, agg } = setup();
    agg.process([rec('m1', 100, 1), rec('m1', 900, 2), rec('m1', 1500, 10)]); // [0, 1000) closes at 1500
    expect(rows).toEqual([
      {
        key: 'm1',
        windowStart: 0,
        windowEnd: 1000,
        value: 3,
        final: true,
        version: 1,
        revision: 0,
        restated: false,
        partition: 0,
      },
    ]);
    expect(agg.stats(0)).toMatchObject({ openWindows: 1, closedWindows: 1 });

    agg.process([rec('m1', 999, 100), rec('m1', 10, 1000)]); // two records for it in one call: one emission
    expect(rows.slice(1)).toEqual([
      {
        key: 'm1',
        windowStart: 0,
        windowEnd: 1000,
        value: 1103,
        final: true,
        version: 2,
        revision: 1,
        restated: true,
        partition: 0,
      },
    ]);
    agg.process([{ ...rec('m1', 500, 1000), retract: true }]); // a retraction restates too
    expect(rows.slice(2)).toEqual([
      {
        key: 'm1',
        windowStart: 0,
        windowEnd: 1000,
        value: 103,
        final: true,
        version: 3,
        revision: 2,
        restated: true,
        partition: 0,
      },
    ]);
    expect(late).toEqual([]);
    expect(agg.stats(0)).toMatchObject({ late: 0, restatements: 2, closedWindows: 1 });
  });

  it('restates a window that closed empty from nothing (revision 1: its first row comes after its close)', () => {
    const { rows, agg } = setup();
    agg.process([rec('m1', 5000, 1)]);
    agg.process([rec('m1', 1200, 7)]);
    expect(rows).toEqual([
      {
        key: 'm1',
        windowStart: 1000,
        windowEnd: 2000,
        value: 7,
        final: true,
        version: 1,
        revision: 1,
        restated: true,
        partition: 0,
      },
    ]);
  });

  it('gives the same final values whatever the batching: the record is judged at the time of its arrival', () => {
    const input = [rec('k', 10, 1), rec('k', 1600, 1), rec('k', 20, 5), rec('k', 3000, 1)];
    const one = setup();
    one.agg.process(input);
    const each = setup();
    for (const r of input) each.agg.process([r]);
    const last = (rows: WindowRow<number>[]) => rows.filter((r) => r.windowStart === 0).at(-1);
    expect(last(one.rows)).toEqual(last(each.rows));
    expect(last(one.rows)).toMatchObject({ value: 6, version: 2, revision: 1, restated: true });
  });

  it('restates some hopping windows and updates the open ones in the same call', () => {
    const rows: WindowRow<number>[] = [];
    const agg = new WindowedAggregation({
      window: hopping(3000, 1000),
      aggregator: sum(),
      grace: 0,
      restateForMs: 60_000,
      sink: rows,
    });
    agg.assign(0);
    agg.process([rec('q', 2500, 1)]); // windows starting 0, 1000, 2000
    agg.process([rec('q', 4000, 0)]); // time 4000: [0, 3000) closes; [1000, 4000) closes (end 4000 ≤ 4000)
    rows.length = 0;
    agg.process([rec('q', 2600, 10)]); // in [0,3000) and [1000,4000) (closed), [2000,5000) (open)
    const byStart = Object.fromEntries(rows.map((r) => [r.windowStart, r]));
    expect(rows).toHaveLength(3);
    expect(byStart[0]).toMatchObject({ value: 11, final: true, restated: true, revision: 1 });
    expect(byStart[1000]).toMatchObject({ value: 11, final: true, restated: true, revision: 1 });
    expect(byStart[2000]).toMatchObject({ value: 11, final: false, restated: false, revision: 0 });
    expect(agg.stats(0)).toMatchObject({ late: 0, restatements: 2 });
  });

  it('without restateForMs the same record is late, as before', () => {
    const rows: WindowRow<number>[] = [];
    const agg = new WindowedAggregation({ window: tumbling(1000), aggregator: sum(), grace: 500, sink: rows });
    agg.assign(0);
    agg.process([rec('m1', 100, 1), rec('m1', 1500, 10)]);
    agg.process([rec('m1', 999, 100)]);
    expect(agg.stats(0)).toMatchObject({ late: 1, restatements: 0, closedWindows: 0 });
    expect(rows.filter((r) => r.restated)).toEqual([]);
  });
});

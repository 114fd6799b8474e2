import { sum } from './aggregators';
import type { WindowRow } from './record';
import { rec } from './spec-helpers';
import { WindowedAggregation } from './windowed-aggregation';
import { tumbling } from './windows';

describe('a record after closeKey for a window the stream end finalised, with restateForMs', () => {
  it('restates that window instead of being late, and the key is forgotten at the horizon', () => {
    const rows: WindowRow<number>[] = [];
    const agg = new WindowedAggregation({
      window: tumbling(1000),
      aggregator: sum(),
      grace: 5000,
      restateForMs: 10_000,
      emit: 'final',
      sink: rows,
    });
    agg.assign(0);
    agg.process([rec('call-1', 100, 1), rec('call-1', 1100, 2)]);
    expect(agg.closeKey(0, 'call-1')).toBe(2);
    expect(agg.stats(0)).toMatchObject({ openWindows: 0, closedWindows: 2 });
    agg.process([rec('call-1', 500, 10)]); // the stream's end finalised [0, 1000): restated, not reopened
    expect(rows.at(-1)).toMatchObject({
      windowStart: 0,
      value: 11,
      final: true,
      version: 2,
      revision: 1,
      restated: true,
    });
    expect(agg.stats(0).late).toBe(0);
    agg.process([rec('call-1', 2500, 3)]); // after the last window it finalised: a new window
    agg.closeKey(0, 'call-1');
    expect(rows.at(-1)).toMatchObject({ windowStart: 2000, value: 3, final: true, version: 1, revision: 0 });
    agg.process([rec('other', 30_000, 0)]); // past every horizon: state and closed key gone
    expect(agg.snapshot(0).closedKeys).toEqual([]);
    expect(agg.stats(0)).toMatchObject({ closedWindows: 0 });
    agg.process([rec('call-1', 600, 1)]);
    expect(agg.stats(0).late).toBe(1);
  });
});

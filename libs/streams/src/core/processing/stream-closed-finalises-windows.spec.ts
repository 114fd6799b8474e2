import { sum } from './aggregators';
import type { WindowRow } from './record';
import { rec } from './spec-helpers';
import { WindowedAggregation } from './windowed-aggregation';
import { tumbling } from './windows';

describe('closing a stream (StreamEndType.Closed)', () => {
  it('finalises that key’s open windows at once and frees its state, leaving other keys open', () => {
    const rows: WindowRow<number>[] = [];
    const agg = new WindowedAggregation({
      window: tumbling(1000),
      aggregator: sum(),
      grace: 5000,
      sink: rows,
      emit: 'final',
    });
    agg.assign(0);
    agg.process([rec('call-1', 100, 1), rec('call-1', 1100, 2), rec('call-2', 150, 4)]);
    expect(agg.closeKey(0, 'call-1')).toBe(2);
    expect(rows).toEqual([
      {
        key: 'call-1',
        windowStart: 0,
        windowEnd: 1000,
        value: 1,
        final: true,
        version: 1,
        revision: 0,
        restated: false,
        partition: 0,
      },
      {
        key: 'call-1',
        windowStart: 1000,
        windowEnd: 2000,
        value: 2,
        final: true,
        version: 1,
        revision: 0,
        restated: false,
        partition: 0,
      },
    ]);
    expect(agg.stats(0)).toMatchObject({ keys: 1, openWindows: 1 });
    expect(agg.closeKey(0, 'unknown')).toBe(0);
  });

  it('treats records of a closed key for already-finalised windows as late, so a final row never reopens', () => {
    const rows: WindowRow<number>[] = [];
    const agg = new WindowedAggregation({ window: tumbling(1000), aggregator: sum(), grace: 5000, sink: rows });
    agg.assign(0);
    agg.process([rec('call-1', 100, 1)]);
    agg.closeKey(0, 'call-1');
    agg.process([rec('call-1', 500, 1)]);
    expect(agg.stats(0).late).toBe(1);
    agg.process([rec('call-1', 2500, 3)]); // a later window of the same id is a new window
    expect(rows.filter((r) => r.windowStart === 0).map((r) => [r.value, r.final])).toEqual([
      [1, false],
      [1, true],
    ]);
    expect(rows.at(-1)).toMatchObject({ windowStart: 2000, value: 3, final: false });
    // the memory of the closed key lasts until stream time closes its last window anyway
    agg.process([rec('other', 7000, 0)]);
    expect(agg.snapshot(0).closedKeys).toEqual([]);
  });
});

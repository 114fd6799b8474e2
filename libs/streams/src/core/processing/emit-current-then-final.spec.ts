import { count } from './aggregators';
import type { WindowRow } from './record';
import { rec } from './spec-helpers';
import { WindowedAggregation } from './windowed-aggregation';
import { tumbling } from './windows';

describe("emit: 'current'", () => {
  it('emits a row for each changed window per batch, with growing versions, then once more as final', () => {
    const rows: WindowRow<number>[] = [];
    const agg = new WindowedAggregation({
      window: tumbling(1000),
      aggregator: count(),
      grace: 0,
      emit: 'current',
      sink: rows,
    });
    agg.assign(0);
    agg.process([rec('q', 10, null), rec('q', 20, null)]); // one row for the batch, not two
    agg.process([rec('q', 30, null)]);
    agg.process([rec('q', 40, null), rec('q', 1000, null)]); // [0,1000) changes and closes in this batch
    expect(rows.map((r) => [r.windowStart, r.value, r.version, r.final])).toEqual([
      [0, 2, 1, false],
      [0, 3, 2, false],
      [0, 4, 3, true],
      [1000, 1, 1, false],
    ]);
  });

  it("emit: 'final' emits nothing until the window closes", () => {
    const rows: WindowRow<number>[] = [];
    const agg = new WindowedAggregation({ window: tumbling(1000), aggregator: count(), emit: 'final', sink: rows });
    agg.assign(0);
    agg.process([rec('q', 10, null), rec('q', 999, null)]);
    expect(rows).toEqual([]);
    agg.process([rec('q', 1000, null)]);
    expect(rows).toEqual([
      {
        key: 'q',
        windowStart: 0,
        windowEnd: 1000,
        value: 2,
        final: true,
        version: 1,
        revision: 0,
        restated: false,
        partition: 0,
      },
    ]);
  });
});

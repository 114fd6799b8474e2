import { sum } from './aggregators';
import { rec } from './spec-helpers';
import { WindowedAggregation } from './windowed-aggregation';
import { tumbling } from './windows';

describe('changes since the last checkpoint', () => {
  it('names exactly the keys touched since then: changed ones with their windows, closed ones as deleted', () => {
    const agg = new WindowedAggregation({ window: tumbling(1000), aggregator: sum(), sink: [] });
    agg.assign(0);
    agg.process([rec('a', 100, 1), rec('b', 200, 2), rec('c', 1100, 3)]);
    expect(agg.changes(0).upserts.map(([k]) => k)).toEqual(['c']); // a and b closed in the same batch
    expect(agg.changes(0).deletes).toEqual(['a', 'b']);
    agg.markCheckpointed(0);
    expect(agg.changes(0)).toMatchObject({ upserts: [], deletes: [], inputs: [[0, 1100, -1]] });
    agg.process([rec('d', 1200, 4)]);
    const ch = agg.changes(0);
    expect(ch.upserts).toEqual([['d', [[1000, 4, 1]]]]);
    expect(agg.stats(0).dirtyKeys).toBe(1);
    // folding every checkpoint's changes gives the full snapshot
    const full = WindowedAggregation.applyChanges(
      WindowedAggregation.applyChanges(undefined, { ...ch, upserts: [['c', [[1000, 3, 1]]]], deletes: [] }),
      ch,
    );
    expect(full.keys).toEqual(agg.snapshot(0).keys);
  });
});

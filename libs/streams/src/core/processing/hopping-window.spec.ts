import { count } from './aggregators';
import type { WindowRow } from './record';
import { finalValues, rec } from './spec-helpers';
import { WindowedAggregation } from './windowed-aggregation';
import { hopping } from './windows';

describe('hopping windows', () => {
  it('put a record into every window [s, s + size) containing it, aligned to the epoch', () => {
    const rows: WindowRow<number>[] = [];
    const agg = new WindowedAggregation({
      window: hopping(3000, 1000),
      aggregator: count(),
      emit: 'final',
      sink: rows,
    });
    agg.assign(0);
    agg.process([rec('k', 2500, null), rec('k', 3000, null), rec('k', 10_000, null)]);
    // 2500 ∈ [0,3000) [1000,4000) [2000,5000); 3000 ∈ [1000,4000) [2000,5000) [3000,6000) (half-open)
    expect(finalValues(rows)).toEqual({ 'k@0': 1, 'k@1000': 2, 'k@2000': 2, 'k@3000': 1 });
  });

  it('close in order of end, and a record late for some of its windows still counts in the open ones', () => {
    const rows: WindowRow<number>[] = [];
    const late: unknown[] = [];
    const agg = new WindowedAggregation({
      window: hopping(3000, 1000),
      aggregator: count(),
      emit: 'final',
      sink: rows,
      lateSink: late as never,
    });
    agg.assign(0);
    agg.process([rec('k', 2500, null), rec('k', 4000, null)]);
    expect(rows.map((r) => r.windowEnd)).toEqual([3000, 4000]);
    agg.process([rec('k', 2600, null)]); // [0,3000) and [1000,4000) are closed; [2000,5000) is open
    expect(late).toHaveLength(1);
    expect((late[0] as { missedWindowStarts: number[] }).missedWindowStarts).toEqual([0, 1000]);
    agg.process([rec('k', 9000, null)]);
    expect(finalValues(rows)).toMatchObject({ 'k@0': 1, 'k@1000': 1, 'k@2000': 3, 'k@3000': 1, 'k@4000': 1 });
  });

  it('handle timestamps before the epoch', () => {
    const rows: WindowRow<number>[] = [];
    const agg = new WindowedAggregation({
      window: hopping(2000, 1000),
      aggregator: count(),
      emit: 'final',
      sink: rows,
    });
    agg.assign(0);
    agg.process([rec('k', -1500, null), rec('k', 5000, null)]);
    expect(finalValues(rows)).toMatchObject({ 'k@-3000': 1, 'k@-2000': 1 });
  });
});

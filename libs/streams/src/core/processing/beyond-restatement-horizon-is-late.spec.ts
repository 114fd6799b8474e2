import { sum } from './aggregators';
import type { LateRecord, WindowRow } from './record';
import { rec } from './spec-helpers';
import { WindowedAggregation } from './windowed-aggregation';
import { tumbling } from './windows';

describe('a record older than windowEnd + grace + restateForMs', () => {
  it('is late as without restatement: the closed window was freed when stream time passed its horizon', () => {
    const rows: WindowRow<number>[] = [];
    const late: LateRecord<number>[] = [];
    const agg = new WindowedAggregation({
      window: tumbling(1000),
      aggregator: sum(),
      grace: 500,
      restateForMs: 5000,
      emit: 'final',
      sink: rows,
      onLate: (l) => late.push(l),
    });
    agg.assign(0);
    agg.process([rec('m', 100, 1), rec('m', 1500, 1)]);
    expect(agg.stats(0).closedWindows).toBe(1);
    agg.process([rec('m', 6499, 1)]); // 6499 < 1000 + 500 + 5000: still kept
    expect(agg.stats(0).closedWindows).toBe(2); // [1000, 2000) closed too
    const bytesKept = agg.stats(0).stateBytes;
    agg.process([rec('m', 6500, 1)]); // horizon of [0, 1000) reached: freed
    expect(agg.stats(0).closedWindows).toBe(1);
    expect(agg.stats(0).stateBytes).toBeLessThan(bytesKept);
    agg.process([rec('m', 999, 50)]);
    expect(late).toEqual([{ record: rec('m', 999, 50), streamTime: 6500, missedWindowStarts: [0] }]);
    agg.process([rec('m', 1999, 50)]); // [1000, 2000) is still kept: restated
    expect(rows.at(-1)).toMatchObject({ windowStart: 1000, value: 51, restated: true, revision: 1, version: 2 });
    expect(agg.stats(0)).toMatchObject({ late: 1, restatements: 1 });
    expect(rows.filter((r) => r.windowStart === 0)).toHaveLength(1);
  });

  it('counts closed windows in stateBytes, so maxStateBytes covers them', () => {
    const make = (restateForMs?: number) => {
      const agg = new WindowedAggregation({
        window: tumbling(1000),
        aggregator: sum(),
        sink: [],
        restateForMs,
        maxStateBytes: 2000,
      });
      agg.assign(0);
      for (let t = 0; t < 40_000; t += 1000) agg.process([rec('m', t, 1)]);
      return agg;
    };
    expect(make().overLimit).toBe(false);
    const kept = make(3_600_000);
    expect(kept.stats(0).closedWindows).toBe(39);
    expect(kept.overLimit).toBe(true);
  });
});

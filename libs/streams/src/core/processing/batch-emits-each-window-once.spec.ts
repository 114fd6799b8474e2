import { sum } from './aggregators';
import type { WindowRow } from './record';
import { rec } from './spec-helpers';
import { WindowedAggregation } from './windowed-aggregation';
import { tumbling } from './windows';

// A caller that feeds records one by one (each derived from state the ones before changed) gets the rows of one
// batch: every window changed inside `batch` is emitted once at its end, with one version, and a restated one once.
describe('batch', () => {
  const engine = (rows: WindowRow<number>[]) => {
    const agg = new WindowedAggregation({
      window: tumbling(1000),
      aggregator: sum(),
      sink: rows,
      closeBy: 'key',
      restateForMs: 10_000,
    });
    agg.assign(0);
    return agg;
  };

  it('emits each window changed by several process calls once, at its end', () => {
    const rows: WindowRow<number>[] = [];
    const agg = engine(rows);
    agg.batch(() => {
      agg.process([rec('m', 100, 1)]);
      agg.process([rec('m', 200, 2)]);
      expect(rows).toEqual([]);
      expect(agg.streamTime(0)).toBe(200);
      agg.process([{ ...rec('m', 100, 1), retract: true }, rec('m', 300, 4)]);
    });
    expect(rows.map((r) => [r.windowStart, r.value, r.version, r.final])).toEqual([[0, 6, 1, false]]);
  });

  it('still closes windows as time reaches them, and emits a restatement once', () => {
    const rows: WindowRow<number>[] = [];
    const agg = engine(rows);
    agg.process([rec('m', 100, 1), rec('m', 1500, 1)]);
    rows.length = 0;
    agg.batch(() => {
      agg.process([rec('m', 2100, 1)]); // window 1000 closes here
      expect(rows.map((r) => [r.windowStart, r.final])).toEqual([[1000, true]]);
      agg.process([rec('m', 200, 5)]);
      agg.process([rec('m', 300, 5)]);
    });
    expect(rows.map((r) => [r.windowStart, r.value, r.version, r.revision, r.restated])).toEqual([
      [1000, 1, 2, 0, false],
      [2000, 1, 1, 0, false],
      [0, 11, 2, 1, true], // closed (version 1) by the first call, restated once
    ]);
  });
});

import type { Aggregator } from './aggregators';
import { max, sum } from './aggregators';
import type { WindowRow } from './record';
import { rec } from './spec-helpers';
import { WindowedAggregation } from './windowed-aggregation';
import { tumbling } from './windows';

describe('a retraction', () => {
  it('takes a value back out of an open window and the live row shows the correction', () => {
    const rows: WindowRow<number>[] = [];
    const agg = new WindowedAggregation({ window: tumbling(1000), aggregator: sum(), sink: rows });
    agg.assign(0);
    agg.process([rec('m', 100, 40)]);
    agg.process([{ ...rec('m', 100, 40), retract: true }, rec('m', 100, 42)]);
    agg.process([rec('m', 5000, 0)]);
    expect(rows.filter((r) => r.windowStart === 0).map((r) => [r.value, r.final])).toEqual([
      [40, false],
      [42, false],
      [42, true],
    ]);
  });

  it('works with a custom aggregator (mean) and is refused, before any change, by one without retract', () => {
    const mean: Aggregator<number, { n: number; s: number }, number> = {
      name: 'mean',
      initial: () => ({ n: 0, s: 0 }),
      add: (a, v) => ({ n: a.n + 1, s: a.s + v }),
      merge: (a, b) => ({ n: a.n + b.n, s: a.s + b.s }),
      retract: (a, v) => ({ n: a.n - 1, s: a.s - v }),
      result: (a) => (a.n === 0 ? 0 : a.s / a.n),
    };
    const rows: WindowRow<number>[] = [];
    const agg = new WindowedAggregation({ window: tumbling(1000), aggregator: mean, sink: rows, emit: 'final' });
    agg.assign(0);
    agg.process([
      rec('m', 1, 10),
      rec('m', 2, 20),
      { ...rec('m', 2, 20), retract: true },
      rec('m', 3, 30),
      rec('x', 2000, 0),
    ]);
    expect(rows[0].value).toBe(20);

    const noRetract = new WindowedAggregation({ window: tumbling(1000), aggregator: max(), sink: [] });
    noRetract.assign(0);
    expect(() => noRetract.process([rec('m', 1, 5), { ...rec('m', 2, 5), retract: true }])).toThrow(
      /aggregator max has no retract/,
    );
    expect(noRetract.stats(0).keys).toBe(0); // the batch was refused as a whole
  });
});

import { count, max, min, sum } from './aggregators';
import type { WindowRow } from './record';
import { finalValues, rec } from './spec-helpers';
import { WindowedAggregation } from './windowed-aggregation';
import { tumbling } from './windows';

describe('records out of order within grace', () => {
  const inOrder = [rec('a', 100, 5), rec('b', 200, 7), rec('a', 1100, 3), rec('a', 1200, -2), rec('b', 1900, 4)];
  // reordered: every record is at most 800 ms behind the highest time seen before it (grace 1000)
  const shuffled = [inOrder[2], inOrder[0], inOrder[4], inOrder[1], inOrder[3]];

  it.each([
    ['sum', sum()],
    ['count', count()],
    ['min', min()],
    ['max', max()],
  ] as const)('give the same final %s rows as in order', (_name, aggregator) => {
    const run = (records: typeof inOrder) => {
      const rows: WindowRow<unknown>[] = [];
      const agg = new WindowedAggregation<number, unknown, unknown>({
        window: tumbling(1000),
        aggregator: aggregator as never,
        grace: 1000,
        emit: 'final',
        sink: rows,
      });
      agg.assign(0);
      agg.process(records);
      agg.process([rec('z', 10_000, 0)]); // move time on so every window closes
      expect(agg.stats(0).late).toBe(0);
      return finalValues(rows);
    };
    expect(run(shuffled)).toEqual(run(inOrder));
  });
});

import fc from 'fast-check';
import { sum } from './aggregators';
import type { StreamRecord, WindowRow } from './record';
import { batchAggregate, finalValues } from './spec-helpers';
import { WindowedAggregation } from './windowed-aggregation';
import { tumbling } from './windows';

const HOUR = 3_600_000;
const window = tumbling(60_000);
const GRACE = 5_000;

/**
 * Each key's records in its own event-time order, the keys hours apart (a live tenant, a backlog forwarded
 * late), interleaved in any way: closing by key, nothing is late and nothing is restated.
 */
const input = fc.record({
  keys: fc.array(
    fc.record({
      lagHours: fc.integer({ min: 0, max: 48 }),
      gaps: fc.array(fc.integer({ min: 0, max: 90_000 }), { minLength: 1, maxLength: 40 }),
    }),
    { minLength: 2, maxLength: 5 },
  ),
  schedule: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 8 })), { minLength: 1, maxLength: 50 }),
});

describe("closeBy: 'key' with keys hours apart, each in its own order, interleaved arbitrarily", () => {
  it('is never late or restated, and its final rows are the batch result', () => {
    fc.assert(
      fc.property(input, ({ keys, schedule }) => {
        const streams = keys.map(({ lagHours, gaps }, k) => {
          let t = 100 * HOUR - lagHours * HOUR;
          return gaps.map((gap, i): StreamRecord<number> => {
            t += gap;
            return { key: `t${k}/m`, value: i + 1, timestamp: t, partition: 0 };
          });
        });
        const rows: WindowRow<number>[] = [];
        const agg = new WindowedAggregation({
          window,
          aggregator: sum(),
          grace: GRACE,
          emit: 'final',
          restateForMs: 7 * 24 * HOUR,
          closeBy: 'key',
          sink: rows,
          mode: 'replay',
        });
        agg.assign(0);
        const pos = streams.map(() => 0);
        for (let step = 0; pos.some((p, k) => p < streams[k].length); step++) {
          const [pick, n] = schedule[step % schedule.length];
          let k = pick % streams.length;
          while (pos[k] >= streams[k].length) k = (k + 1) % streams.length;
          agg.process(streams[k].slice(pos[k], pos[k] + n));
          pos[k] += n;
        }
        expect(agg.stats(0)).toMatchObject({ late: 0, restatements: 0 });
        for (const s of streams) agg.closeKey(0, s[0].key); // stream ends: every window final
        expect(finalValues(rows)).toEqual(batchAggregate(streams.flat(), window, sum()));
      }),
      { numRuns: 200 },
    );
  });
});

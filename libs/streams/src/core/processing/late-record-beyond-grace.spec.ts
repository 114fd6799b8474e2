import { sum } from './aggregators';
import type { LateRecord, WindowRow } from './record';
import { finalValues, rec } from './spec-helpers';
import { WindowedAggregation } from './windowed-aggregation';
import { tumbling } from './windows';

describe('a record later than its window end + grace', () => {
  it('is counted, handed to onLate and the late sink, and changes no final row', () => {
    const rows: WindowRow<number>[] = [];
    const lateSink: LateRecord<number>[] = [];
    const onLate: LateRecord<number>[] = [];
    const agg = new WindowedAggregation({
      window: tumbling(1000),
      aggregator: sum(),
      grace: 500,
      emit: 'final',
      sink: rows,
      lateSink,
      onLate: (l) => onLate.push(l),
    });
    agg.assign(0);
    agg.process([rec('m1', 100, 1), rec('m1', 900, 2)]);
    agg.process([rec('m1', 1500, 10)]); // stream time 1500 = end 1000 + grace 500: [0, 1000) closes
    expect(finalValues(rows)).toEqual({ 'm1@0': 3 });

    agg.process([rec('m1', 999, 100)]); // belongs to the closed window
    expect(finalValues(rows)).toEqual({ 'm1@0': 3 });
    expect(rows.filter((r) => r.windowStart === 0)).toHaveLength(1);
    expect(agg.stats(0).late).toBe(1);
    expect(lateSink).toHaveLength(1);
    expect(onLate).toEqual(lateSink);
    expect(lateSink[0]).toMatchObject({
      streamTime: 1500,
      missedWindowStarts: [0],
      record: { timestamp: 999, value: 100 },
    });
  });

  it('is late within the same batch that closed its window, whatever the batching', () => {
    const inOne: WindowRow<number>[] = [];
    const inTwo: WindowRow<number>[] = [];
    const make = (sink: WindowRow<number>[]) => {
      const a = new WindowedAggregation({ window: tumbling(1000), aggregator: sum(), grace: 0, sink, emit: 'final' });
      a.assign(0);
      return a;
    };
    const input = [rec('k', 10, 1), rec('k', 1000, 1), rec('k', 20, 5), rec('k', 2000, 1)];
    make(inOne).process(input);
    const two = make(inTwo);
    two.process(input.slice(0, 2));
    two.process(input.slice(2));
    expect(finalValues(inOne)).toEqual({ 'k@0': 1, 'k@1000': 1 });
    expect(inTwo).toEqual(inOne);
  });
});

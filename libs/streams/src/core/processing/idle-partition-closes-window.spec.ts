import { sum } from './aggregators';
import type { WindowRow } from './record';
import { manualClock, rec } from './spec-helpers';
import { WindowedAggregation } from './windowed-aggregation';
import { tumbling } from './windows';

describe('a partition that goes quiet', () => {
  const setup = (mode: 'live' | 'replay') => {
    const wall = manualClock(1_000_000);
    const rows: WindowRow<number>[] = [];
    const agg = new WindowedAggregation({
      window: tumbling(60_000),
      aggregator: sum(),
      grace: 5_000,
      idleMs: 10_000,
      emit: 'final',
      mode,
      clock: wall.now,
      sink: rows,
    });
    agg.assign(0);
    return { wall, rows, agg };
  };

  it('advances with the wall clock after idleMs, so its open window closes on time', () => {
    const { wall, rows, agg } = setup('live');
    // event time runs 20 s behind the wall clock; the last reading is at event time 1_010_000 in [960k, 1020k)
    wall.set(1_030_000);
    agg.process([rec('meter', 1_010_000, 7)]);
    wall.set(1_039_999);
    expect(agg.tick()).toBe(0); // quiet for less than idleMs: stream time stays
    expect(agg.stats(0).streamTime).toBe(1_010_000);
    wall.set(1_040_000);
    agg.tick(); // idle: 1_010_000 + 10 s = 1_020_000 < end + grace
    expect(rows).toEqual([]);
    wall.set(1_044_999);
    agg.tick();
    expect(rows).toEqual([]);
    wall.set(1_045_000); // 1_010_000 + 35 s = 1_025_000 = end 1_020_000 + grace 5 s
    agg.tick();
    expect(rows).toEqual([
      {
        key: 'meter',
        windowStart: 960_000,
        windowEnd: 1_020_000,
        value: 7,
        final: true,
        version: 1,
        revision: 0,
        restated: false,
        partition: 0,
      },
    ]);
    expect(agg.stats(0).keys).toBe(0); // state freed
  });

  it('a record after idling that is older than the advanced time is late', () => {
    const { wall, rows, agg } = setup('live');
    wall.set(1_000_000);
    agg.process([rec('m', 1_000_000, 1)]);
    wall.set(1_100_000);
    agg.tick();
    agg.process([rec('m', 1_019_000, 5)]);
    expect(agg.stats(0).late).toBe(1);
    expect(rows.map((r) => r.value)).toEqual([1]);
  });

  it('never idles in replay mode, so a replay is deterministic', () => {
    const { wall, rows, agg } = setup('replay');
    agg.process([rec('meter', 1_010_000, 7)]);
    wall.set(9_000_000);
    expect(agg.tick()).toBe(0);
    expect(rows).toEqual([]);
    agg.setMode('live'); // caught up: from now on quiet partitions follow the wall clock
    wall.set(9_014_999); // quiet for idleMs, then 1_010_000 + 14_999 < end + grace
    expect(agg.tick()).toBe(0);
    wall.set(9_015_000);
    expect(agg.tick()).toBe(1);
    expect(rows[0]).toMatchObject({ value: 7, final: true });
  });
});

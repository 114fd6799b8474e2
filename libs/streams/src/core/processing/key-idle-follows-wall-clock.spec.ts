import { sum } from './aggregators';
import type { WindowRow } from './record';
import { manualClock, rec } from './spec-helpers';
import { WindowedAggregation } from './windowed-aggregation';
import { tumbling } from './windows';

describe("closeBy: 'key' with idleMs — a quiet key follows the wall clock", () => {
  const setup = (mode: 'live' | 'replay') => {
    const wall = manualClock(1_000_000);
    const rows: WindowRow<number>[] = [];
    const agg = new WindowedAggregation({
      window: tumbling(60_000),
      aggregator: sum(),
      grace: 5_000,
      idleMs: 10_000,
      restateForMs: 3_600_000,
      closeBy: 'key',
      emit: 'final',
      mode,
      clock: wall.now,
      sink: rows,
    });
    agg.assign(0);
    return { wall, rows, agg };
  };

  it('closes its window when its own time, advanced by the wall clock, passes end + grace; an active key is not moved', () => {
    const { wall, rows, agg } = setup('live');
    agg.process([rec('quiet', 1_010_000, 7), rec('busy', 500_000, 1)]);
    for (let w = 1_001_000; w <= 1_020_000; w += 1000) {
      wall.set(w);
      if (w % 5000 === 0) agg.process([rec('busy', 500_000 + (w - 1_000_000) / 10, 1)]); // active, far behind
      agg.tick();
      // quiet since 1_000_000: from 1_010_000 at the wall rate, 1_010_000 + 15 s = end 1_020_000 + grace 5 s
      expect(rows.map((r) => r.key)).toEqual(w < 1_015_000 ? [] : ['quiet']);
    }
    expect(rows[0]).toMatchObject({ windowStart: 960_000, value: 7, final: true, restated: false });
    expect(agg.stats(0)).toMatchObject({ late: 0, openWindows: 1 }); // busy's window [480000, 540000) stays open
    agg.process([rec('busy', 480_000, 1)]); // and busy's old readings still count there, not late
    expect(agg.stats(0)).toMatchObject({ late: 0, restatements: 0 });
  });

  it('never idles in replay mode', () => {
    const { wall, rows, agg } = setup('replay');
    agg.process([rec('quiet', 1_010_000, 7)]);
    wall.set(9_000_000);
    expect(agg.tick()).toBe(0);
    expect(rows).toEqual([]);
    agg.setMode('live');
    wall.set(9_014_999);
    expect(agg.tick()).toBe(0);
    wall.set(9_015_000); // quiet for idleMs and 1_010_000 + 15 s = end + grace
    expect(agg.tick()).toBe(1);
    expect(rows[0]).toMatchObject({ key: 'quiet', value: 7, final: true });
  });
});

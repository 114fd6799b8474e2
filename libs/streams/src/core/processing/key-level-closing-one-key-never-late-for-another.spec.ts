import { sum } from './aggregators';
import type { WindowRow } from './record';
import { finalValues, rec } from './spec-helpers';
import { WindowedAggregation } from './windowed-aggregation';
import { tumbling } from './windows';

const HOUR = 3_600_000;

describe("closeBy: 'key' — each key's windows close on its own stream time", () => {
  const setup = (closeBy: 'partition' | 'key' | ((key: string) => string)) => {
    const rows: WindowRow<number>[] = [];
    const agg = new WindowedAggregation({
      window: tumbling(60_000),
      aggregator: sum(),
      grace: 5_000,
      emit: 'final',
      restateForMs: 7 * 24 * HOUR,
      closeBy,
      sink: rows,
    });
    agg.assign(0);
    return { rows, agg };
  };

  it('a meter live at the head of the partition never makes another meter’s delayed readings late or restated', () => {
    const { rows, agg } = setup('key');
    const now = 100 * HOUR;
    agg.process([rec('live', now, 1), rec('live', now + 60_000, 1)]); // closes live's first window
    // a head-end forwards another meter's readings from 3 hours ago
    agg.process([rec('late', now - 3 * HOUR, 5), rec('late', now - 3 * HOUR + 30_000, 5)]);
    expect(agg.stats(0)).toMatchObject({ late: 0, restatements: 0, clocks: 2 });
    expect(rows.filter((r) => r.key === 'late')).toEqual([]); // still open: its own clock is at −3 h
    agg.process([rec('late', now - 3 * HOUR + 65_000, 1)]); // its own time passes end + grace
    expect(finalValues(rows.filter((r) => r.key === 'late'))).toEqual({ [`late@${now - 3 * HOUR}`]: 10 });
    expect(rows.filter((r) => r.key === 'late').every((r) => !r.restated)).toBe(true);
  });

  it('by partition the same input is all restatements (compare)', () => {
    const { agg } = setup('partition');
    const now = 100 * HOUR;
    agg.process([rec('live', now, 1), rec('live', now + 60_000, 1)]);
    agg.process([rec('late', now - 3 * HOUR, 5), rec('late', now - 3 * HOUR + 30_000, 5)]);
    expect(agg.stats(0)).toMatchObject({ late: 0, restatements: 1 });
  });

  it('a key restates its own closed windows; its clock goes once it holds no window', () => {
    const { rows, agg } = setup('key');
    agg.process([rec('m', 0, 1), rec('m', 70_000, 1)]); // m's [0, 60000) closes on m's time
    agg.process([rec('m', 10, 2)]);
    expect(rows.at(-1)).toMatchObject({ key: 'm', windowStart: 0, value: 3, restated: true, revision: 1 });
    expect(agg.stats(0).clocks).toBe(1);
    // far later another key moves the partition past m's horizon: m's windows are finalised and freed
    agg.process([rec('x', 8 * 24 * HOUR, 1)]);
    expect(rows.at(-1)).toMatchObject({ key: 'm', windowStart: 60_000, final: true, restated: false });
    expect(agg.stats(0)).toMatchObject({ clocks: 1, keys: 1 });
    agg.process([rec('m', 20, 1)]); // beyond the horizon: late, whatever its own (forgotten) clock said
    expect(agg.stats(0).late).toBe(1);
  });

  it('a group function shares one clock among a tenant’s keys and keeps tenants apart', () => {
    const tenant = (key: string) => key.slice(0, key.indexOf('/'));
    const { rows, agg } = setup(tenant);
    agg.process([rec('a/m1', 0, 1), rec('b/m1', 0, 1)]);
    agg.process([rec('a/m2', 70_000, 1)]); // tenant a's time: closes a/m1's window, not b/m1's
    expect(rows.map((r) => r.key)).toEqual(['a/m1']);
    agg.process([rec('b/m1', 30_000, 1), rec('a/m1', 5, 1)]);
    expect(rows.at(-1)).toMatchObject({ key: 'a/m1', value: 2, restated: true });
    expect(agg.stats(0)).toMatchObject({ late: 0, restatements: 1, clocks: 2 });
    // the snapshot keeps each key's clock time in its row; a restore keeps them apart
    const snap = JSON.parse(JSON.stringify(agg.snapshot(0)));
    const again = new WindowedAggregation({
      window: tumbling(60_000),
      aggregator: sum(),
      grace: 5_000,
      emit: 'final',
      restateForMs: 7 * 24 * HOUR,
      closeBy: tenant,
      sink: rows,
    });
    again.restore(0, snap);
    expect(again.snapshot(0)).toEqual(snap);
    again.process([rec('b/m1', 59_000, 1)]);
    expect(again.stats(0)).toMatchObject({ late: 0, restatements: 1 });
  });
});

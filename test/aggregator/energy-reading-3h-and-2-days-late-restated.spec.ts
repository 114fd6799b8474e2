import { partitionOfKey } from '../support/partitions';
import { eventually } from '../support/wait';
import { AggregatorFixture, expectedEnergy } from './energy-fixtures';

// A head-end system forwards a meter's buffered reads 3 hours late, then reads from 2 days ago, while another
// meter of the same partition is live (its readings keep the partition's stream time at the wall clock). With
// key-level closing and restatement nothing is lost: every row equals an independent batch computation over all
// readings, the late windows are final with revision ≥ 1 (restated, since the lagging meter's own recent readings
// had closed them), and nothing is reported late.
const Q = 15 * 60_000;
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

type Reading = { meterId: string; ts: number; energyWh: number };

describe('a meter’s readings 3 h and 2 days late, while another meter of its partition is live', () => {
  const fx = new AggregatorFixture();
  beforeAll(() => fx.setUp());
  afterAll(() => fx.tearDown());

  it('restates its windows: every row equals the batch computation, nothing late', async () => {
    const late = 'late';
    const partition = partitionOfKey(`${fx.tenant}/${late}`);
    const live =
      ['live-1', 'live-2', 'live-3', 'live-4', 'live-5', 'live-6', 'live-7', 'live-8'].find(
        (m) => partitionOfKey(`${fx.tenant}/${m}`) === partition,
      ) ?? 'none';
    expect(live).not.toBe('none');

    const now = Math.floor(Date.now() / MIN) * MIN;
    const all: Reading[] = [];
    const send = async (meterId: string, from: number, count: number, stepMs: number, wh: (i: number) => number) => {
      const rows: Array<[number, number]> = [];
      for (let i = 0; i < count; i++) rows.push([from + i * stepMs, wh(i)]);
      for (const [ts, energyWh] of rows) all.push({ meterId, ts, energyWh });
      await fx.sendReadings(meterId, [rows]);
    };
    const rows = async () => {
      const r = await fx.pool.query(
        `SELECT meter_id, window_start, energy_mwh, readings, max_power_w, resets, is_final, revision
         FROM meter_energy_15m WHERE tenant = $1`,
        [fx.tenant],
      );
      return r.rows;
    };
    const matchesBatch = async () => {
      const expected = expectedEnergy(all);
      const got = new Map(
        (await rows()).map((r) => [
          `${r.meter_id}@${r.window_start.getTime()}`,
          { energy_mwh: Number(r.energy_mwh), readings: r.readings, max_power_w: r.max_power_w, resets: r.resets },
        ]),
      );
      expect(got).toEqual(expected);
    };

    await fx.startEnergy();
    // Both meters live: the last 40 minutes, one reading a minute; registers in Wh with 3 decimals.
    await send(live, now - 40 * MIN, 41, MIN, (i) => 5_000 + i * 1.25);
    await send(late, now - 40 * MIN, 41, MIN, (i) => 9_000 + i * 0.75);
    await eventually(matchesBatch, 30_000, 200);

    // 3 hours late: an hour of 5-minute reads, lower registers (they came first).
    await send(late, now - 4 * HOUR, 12, 5 * MIN, (i) => 8_000 + i * 10.5);
    await send(live, now + MIN, 1, MIN, () => 5_100);
    await eventually(matchesBatch, 30_000, 200);

    // 2 days late: another hour, and one reading with a register restart (lower than the one before it).
    await send(late, now - 2 * DAY, 12, 5 * MIN, (i) => (i === 7 ? 3 : 7_000 + i * 20.25));
    await send(live, now + 2 * MIN, 1, MIN, () => 5_101.5);
    await eventually(matchesBatch, 30_000, 200);

    const byWindow = await rows();
    const lateWindows = byWindow.filter((r) => r.meter_id === late && r.window_start.getTime() < now - 3 * HOUR);
    const lateStarts = new Set(
      all.filter((r) => r.meterId === late && r.ts < now - 3 * HOUR).map((r) => r.ts - (r.ts % Q)),
    );
    expect(lateWindows).toHaveLength(lateStarts.size);
    for (const r of lateWindows) expect([r.is_final, r.revision >= 1]).toEqual([true, true]);
    expect(byWindow.filter((r) => r.meter_id === late && r.resets > 0)).toHaveLength(1);

    const dq = await fx.pool.query('SELECT kind FROM data_quality_events WHERE tenant = $1', [fx.tenant]);
    expect(dq.rows).toEqual([]);
  }, 120_000);
});

import type { MetricUpdate } from '@switchboard/domain';
import { runSwitchboard } from '../support/switchboard-cli';
import { eventually } from '../support/wait';
import { AggregatorFixture } from './energy-fixtures';

// A final window restated twice by late readings: its row ends at revision 2 with a higher version each time
// (restated_at stamped by the database), the update events on metrics.updates mark both changes as restatements
// (is_final true, the row's revision), and what billing reads follows: the daily rollup (its energy and revision)
// and the CSV of `switchboard billing export` (15m and 1d, revision as the last column).
const Q = 15 * 60_000;
const MIN = 60_000;
const DAY = 86_400_000;

describe('a final window restated twice', () => {
  const fx = new AggregatorFixture();
  beforeAll(() => fx.setUp());
  afterAll(() => fx.tearDown());

  it('gets revision 2, restatement updates, and a new daily rollup and billing CSV', async () => {
    const day = Math.floor(Date.now() / DAY) * DAY - DAY; // yesterday (UTC: the tenant has no time zone)
    const w0 = day + 10 * 60 * MIN;
    const localDate = new Date(day).toISOString().slice(0, 10);
    fx.startRelay();
    const published = await fx.collect(fx.updatesTopic);
    await fx.startEnergy();

    const window = async () =>
      (
        await fx.pool.query(
          `SELECT energy_mwh, readings, is_final, version, revision, restated_at FROM meter_energy_15m
           WHERE tenant = $1 AND meter_id = 'm1' AND window_start = $2`,
          [fx.tenant, new Date(w0)],
        )
      ).rows[0];
    const daily = async () =>
      (
        await fx.pool.query(
          `SELECT energy_mwh::text, readings::int, revision::int FROM meter_energy_daily
           WHERE tenant = $1 AND meter_id = 'm1' AND local_date = $2`,
          [fx.tenant, localDate],
        )
      ).rows[0];
    const exportCsv = (interval: string) => {
      const r = runSwitchboard(
        [
          'billing',
          'export',
          '--tenant',
          fx.tenant,
          '--from',
          new Date(day).toISOString(),
          '--to',
          new Date(day + DAY).toISOString(),
          '--interval',
          interval,
        ],
        {},
        60_000,
      );
      expect(r.status).toBe(0);
      return r.stdout.split('\r\n').filter((l) => l.startsWith('m1,'));
    };

    // W0: 100 Wh at +1 min, 101 at +10 min; W1: 102 at +1 min closes W0 (the meter's own time passes end + grace).
    await fx.sendReadings('m1', [
      [
        [w0 + MIN, 100],
        [w0 + 10 * MIN, 101],
        [w0 + Q + MIN, 102],
      ],
    ]);
    await eventually(async () => expect(await window()).toMatchObject({ is_final: true, revision: 0 }), 30_000, 200);
    const sealed = await window();
    expect([sealed.energy_mwh, sealed.readings]).toEqual(['1000', 2]);
    expect(await daily()).toEqual({ energy_mwh: '2000', readings: 3, revision: 0 });
    expect(exportCsv('15m')[0]).toBe(
      `m1,${new Date(w0).toISOString()},${new Date(w0 + Q).toISOString()},,1.000,1000,2,,0,true,0`,
    );
    const dayBefore = exportCsv('1d');
    expect(dayBefore).toEqual([
      `m1,${new Date(day).toISOString()},${new Date(day + DAY).toISOString()},UTC,2.000,2000,3,,0,false,0`,
    ]);

    // Restatement 1: a reading before the first one becomes the baseline: W0 gains 1 Wh, so does the day.
    await fx.sendReadings('m1', [[[w0 + 30_000, 99]]]);
    await eventually(async () => expect(await window()).toMatchObject({ revision: 1 }), 30_000, 200);
    const first = await window();
    expect([first.energy_mwh, first.readings, first.is_final]).toEqual(['2000', 3, true]);
    expect(Number(first.version)).toBeGreaterThan(Number(sealed.version));
    expect(first.restated_at).toBeInstanceOf(Date);

    // Restatement 2: a reading after W0's last one: 0.8 Wh move from W1 into W0.
    await fx.sendReadings('m1', [[[w0 + 14 * MIN, 101.8]]]);
    await eventually(async () => expect(await window()).toMatchObject({ revision: 2 }), 30_000, 200);
    const second = await window();
    expect([second.energy_mwh, second.readings, second.is_final]).toEqual(['2800', 4, true]);
    expect(Number(second.version)).toBeGreaterThan(Number(first.version));

    expect(await daily()).toEqual({ energy_mwh: '3000', readings: 5, revision: 2 });
    expect(exportCsv('15m')).toEqual([
      `m1,${new Date(w0).toISOString()},${new Date(w0 + Q).toISOString()},,2.800,2800,4,,0,true,2`,
      `m1,${new Date(w0 + Q).toISOString()},${new Date(w0 + 2 * Q).toISOString()},,0.200,200,1,,0,false,0`,
    ]);
    const dayAfter = exportCsv('1d');
    expect(dayAfter).toEqual([
      `m1,${new Date(day).toISOString()},${new Date(day + DAY).toISOString()},UTC,3.000,3000,5,,0,false,2`,
    ]);
    expect(dayAfter).not.toEqual(dayBefore);

    // The updates of W0 on the topic: versions grow; the two restatements are marked, final, with their revision.
    const id = `${fx.tenant}/meter_energy_15m/m1/${w0}`;
    await eventually(
      async () => {
        const updates = published.filter((m) => m.key === id).map((m) => JSON.parse(m.value) as MetricUpdate);
        expect(updates.at(-1)?.version).toBe(Number(second.version));
      },
      30_000,
      200,
    );
    const updates = published.filter((m) => m.key === id).map((m) => JSON.parse(m.value) as MetricUpdate);
    const versions = updates.map((u) => u.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    expect(updates.filter((u) => u.restatement).map((u) => [u.version, u.row.is_final, u.row.revision])).toEqual([
      [Number(first.version), true, 1],
      [Number(second.version), true, 2],
    ]);
    expect(updates.filter((u) => !u.restatement).every((u) => u.row.revision === 0)).toBe(true);
  }, 120_000);
});

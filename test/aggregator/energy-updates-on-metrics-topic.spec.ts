import type { MetricUpdate } from '@switchboard/domain';
import { eventually } from '../support/wait';
import { AggregatorFixture } from './energy-fixtures';

// Every committed change of a meter_energy_15m row arrives on the updates topic (outbox → relay), keyed by the
// update id, with versions 1, 2, … per row; the newest one equals the row in Postgres, final included.
const Q = 15 * 60_000;

describe('energy updates on the metrics topic', () => {
  const fx = new AggregatorFixture();
  beforeAll(() => fx.setUp());
  afterAll(() => fx.tearDown());

  it('publishes each row change with growing versions, the last one equal to the committed row', async () => {
    const w0 = Math.floor(Date.now() / Q) * Q - 2 * Q;
    fx.startRelay();
    const published = await fx.collect(fx.updatesTopic);
    await fx.startEnergy({ graceMs: 2_000 });

    // Three separate arrivals into W0 (each its own checkpoint: three versions), then one in W1, which ends W0.
    for (const [ts, wh] of [
      [w0 + 60_000, 10],
      [w0 + 120_000, 10.5],
      [w0 + 180_000, 12.25],
      [w0 + Q + 2_000, 13],
    ]) {
      await fx.publish([{ type: 'meter.reading', meterId: 'm1', ts, energyWh: wh, powerW: 500 }]);
      await new Promise((r) => setTimeout(r, 600));
    }

    const id = `${fx.tenant}/meter_energy_15m/m1/${w0}`;
    const updates = await eventually(
      () => {
        const mine = published.filter((m) => m.key === id);
        const parsed = mine.map((m) => JSON.parse(m.value) as MetricUpdate);
        expect(parsed.some((u) => u.row.is_final)).toBe(true);
        return { mine, parsed };
      },
      30_000,
      200,
    );
    expect(updates.mine.every((m) => m.headers['sb-model'] === 'metric-update')).toBe(true);
    const versions = updates.parsed.map((u) => u.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length); // at least once, but the relay ran without a crash
    expect(versions[0]).toBe(1);
    expect(versions.length).toBeGreaterThanOrEqual(3);
    expect(versions).toEqual(versions.map((_, i) => i + 1)); // grows by one at each change

    const last = updates.parsed[updates.parsed.length - 1];
    const row = await fx.pool.query(
      `SELECT energy_mwh, readings, max_power_w, resets, is_final, version FROM meter_energy_15m
       WHERE tenant = $1 AND meter_id = 'm1' AND window_start = to_timestamp($2 / 1000.0)`,
      [fx.tenant, w0],
    );
    expect(last).toMatchObject({ kind: 'meter_energy_15m', tenant: fx.tenant, version: Number(row.rows[0].version) });
    expect(last.row).toMatchObject({
      tenant: fx.tenant,
      meter_id: 'm1',
      window_start: new Date(w0).toISOString(),
      window_end: new Date(w0 + Q).toISOString(),
      energy_mwh: Number(row.rows[0].energy_mwh),
      readings: 3,
      max_power_w: 500,
      resets: 0,
      is_final: true,
    });
    expect(Number(row.rows[0].energy_mwh)).toBe(2_250);
  }, 60_000);
});

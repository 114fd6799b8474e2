import { energyPipeline } from '../../apps/aggregator/src/pipelines/energy';
import type { Pipeline } from '../../apps/aggregator/src/pipelines/pipeline';
import { eventually } from '../support/wait';
import { AggregatorFixture, expectedEnergy } from './energy-fixtures';

// Readings of two meters go in through ingest's routing, out of order within grace, with a duplicate and a
// register reset. The energy pipeline (real broker, real Postgres, live mode) must write exactly the rows an
// independent computation gives, and close them as final once each meter's own clock (idle: the wall clock) has
// passed end + grace.
const Q = 15 * 60_000;
const GRACE = 10_000;

describe('energy windows exact in Postgres', () => {
  const fx = new AggregatorFixture();
  let pipeline: Pipeline | undefined;

  beforeAll(() => fx.setUp());
  afterAll(async () => {
    await pipeline?.close();
    await fx.tearDown();
  });

  it('writes the hand-computable rows, Σ = last − first register to the mWh, final after idle', async () => {
    // Four windows in the recent past: W3 (one reading at its start) stays open, W0–W2 close when idle.
    const w0 = Math.floor(Date.now() / Q) * Q - 4 * Q;
    const m1: Array<{ meterId: string; ts: number; energyWh: number; powerW?: number }> = [];
    let register = 12_345.678;
    for (let ts = w0; ts < w0 + 3 * Q; ts += 60_000) {
      register = Math.round((register + 0.001 + ((ts / 60_000) % 7) * 0.137) * 1000) / 1000;
      m1.push({ meterId: 'm1', ts, energyWh: register, powerW: 100 + ((ts / 60_000) % 11) });
    }
    m1.push({ meterId: 'm1', ts: w0 + 3 * Q, energyWh: register + 1.5 });
    // m2: a register reset in W1, readings at odd seconds.
    const m2 = [
      { meterId: 'm2', ts: w0 + 7_000, energyWh: 4_990 },
      { meterId: 'm2', ts: w0 + Q - 3_000, energyWh: 5_000.25 },
      { meterId: 'm2', ts: w0 + Q + 4_000, energyWh: 20.5 }, // reset: this reading's energy is its own register
      { meterId: 'm2', ts: w0 + 2 * Q + 1, energyWh: 21 },
    ];

    // Arrival order (both meters may share a partition, so it is one order by send time): m1's last W0 reading
    // after the first of W1 (inside grace), a W2 reading 7 minutes late (W2 still open), a duplicate (same ts,
    // other value: the first received wins), m2's first two readings swapped.
    const sendAt = new Map<object, number>();
    const delay = (r: object | undefined, at: number) => r && sendAt.set(r, at);
    delay(
      m1.find((r) => r.ts === w0 + Q - 60_000),
      w0 + Q + 1,
    );
    delay(
      m1.find((r) => r.ts === w0 + 2 * Q + 5 * 60_000),
      w0 + 2 * Q + 12 * 60_000 + 1,
    );
    const duplicate = { meterId: 'm1', ts: w0 + 2 * 60_000, energyWh: 99_999 };
    delay(duplicate, w0 + 4 * 60_000 + 1);
    delay(m2[0], w0 + Q - 2_000);
    const all = [...m1, duplicate, ...m2];
    const sent = all
      .map((r, i) => ({ r, i, at: sendAt.get(r) ?? r.ts }))
      .sort((a, b) => a.at - b.at || a.i - b.i)
      .map((x) => x.r);

    await fx.publish(sent.map((r) => ({ type: 'meter.reading', ...r })));
    const expected = expectedEnergy(sent);
    expect(expected.get(`m2@${w0 + Q}`)).toMatchObject({ energy_mwh: 20_500, resets: 1, readings: 1 });

    pipeline = energyPipeline(fx.context({ graceMs: GRACE }), {
      topic: fx.topic,
      updatesTopic: fx.updatesTopic,
      checkpointIntervalMs: 200,
    });
    await pipeline.start();

    const rows = await eventually(
      async () => {
        const r = await fx.pool.query<{
          meter_id: string;
          ws: string;
          energy_mwh: string;
          readings: number;
          max_power_w: number | null;
          resets: number;
          is_final: boolean;
        }>(
          `SELECT meter_id, (extract(epoch FROM window_start) * 1000)::bigint AS ws, energy_mwh, readings, max_power_w,
                  resets, is_final
           FROM meter_energy_15m WHERE tenant = $1 ORDER BY meter_id, window_start`,
          [fx.tenant],
        );
        const got = new Map(
          r.rows.map((row) => [
            `${row.meter_id}@${row.ws}`,
            {
              energy_mwh: Number(row.energy_mwh),
              readings: row.readings,
              max_power_w: row.max_power_w,
              resets: row.resets,
            },
          ]),
        );
        expect(got).toEqual(expected);
        // Final after idle: each meter's windows close by its own clock (its last reading, then the wall clock
        // once it is idle), never by the other meter's, whether or not they share a partition: m1's last window
        // and m2's last window (it ends 15 minutes after m2's last reading) stay open.
        expect(r.rows.filter((row) => !row.is_final).map((row) => `${row.meter_id}@${Number(row.ws) - w0}`)).toEqual([
          `m1@${3 * Q}`,
          `m2@${2 * Q}`,
        ]);
        return r.rows;
      },
      80_000,
      250,
    );

    const m1Sum = rows.filter((r) => r.meter_id === 'm1').reduce((s, r) => s + Number(r.energy_mwh), 0);
    const first = m1[0].energyWh;
    const last = m1[m1.length - 1].energyWh;
    expect(m1Sum).toBe(Math.round(last * 1000) - Math.round(first * 1000));
  }, 120_000);
});

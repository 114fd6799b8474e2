import { energyIntervals } from '@switchboard/billing';
import { Pool } from 'pg';
import { freshMigratedDatabase } from '../test/support/replay-database';
import type { BenchRow, BenchSuite } from './harness';

const METERS = 40;
const DAYS = 365;
const RUNS = 5;
const TENANT = 'bench';
const MONTH = { from: Date.parse('2026-06-01T00:00:00Z'), to: Date.parse('2026-07-01T00:00:00Z') };

/**
 * Billing reads: a month of hourly and daily energy (one meter, and every meter of the tenant) out of a year of
 * 15-minute windows, in a database of its own. Side by side in one run: the rollup views filtered on their start
 * (how billing read them before) and the range functions billing reads now. Figures are the median of RUNS
 * queries after one warm-up; the rows returned must be the same.
 */
export function billingSuite(): BenchSuite {
  return {
    name: 'billing',
    description: `a month of 1h/1d energy out of ${DAYS} days × ${METERS} meters of 15-minute windows: views vs range functions`,
    run,
  };
}

async function run(log: (line: string) => void): Promise<BenchRow[]> {
  const db = await freshMigratedDatabase('bench_billing');
  const pool = new Pool({ connectionString: db.url, max: 2 });
  try {
    const t0 = performance.now();
    await pool.query(`INSERT INTO tenants (tenant, timezone) VALUES ($1, 'Europe/London')`, [TENANT]);
    await pool.query(
      `INSERT INTO meter_energy_15m (tenant, meter_id, window_start, window_end, energy_mwh, readings, is_final)
       SELECT $1, 'm-' || m, s, s + interval '15 minutes', 250 + m, 1, true
       FROM generate_series(1, $2::int) AS m,
            generate_series(timestamptz '2026-01-01T00:00:00Z', timestamptz '2026-01-01T00:00:00Z' + make_interval(days => $3::int) - interval '15 minutes', interval '15 minutes') AS s`,
      [TENANT, METERS, DAYS],
    );
    await pool.query('ANALYZE meter_energy_15m');
    const windows = METERS * DAYS * 96;
    log(`${windows.toLocaleString()} windows seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const rows: BenchRow[] = [];
    for (const interval of ['1h', '1d'] as const) {
      for (const meterId of ['m-7', undefined]) {
        const query = { tenant: TENANT, meterId, interval, ...MONTH };
        const [view, start] =
          interval === '1h' ? ['meter_energy_hourly', 'hour_start'] : ['meter_energy_daily', 'day_start'];
        const viaView = () =>
          pool.query(
            `SELECT * FROM ${view} WHERE tenant = $1 AND ($2::text IS NULL OR meter_id = $2) AND ${start} >= $3 AND ${start} < $4
             ORDER BY meter_id COLLATE "C", ${start}`,
            [TENANT, meterId ?? null, new Date(MONTH.from), new Date(MONTH.to)],
          );
        const viewTiming = await median(async () => (await viaView()).rows.length);
        const functionTiming = await median(async () => (await energyIntervals(pool, query)).length);
        if (viewTiming.rows !== functionTiming.rows)
          throw new Error(
            `${interval} ${meterId ?? 'all meters'}: the view gave ${viewTiming.rows} rows, the function ${functionTiming.rows}`,
          );
        rows.push({
          query: `${interval}, ${meterId ? 'one meter' : `all ${METERS} meters`}, one month`,
          rows: functionTiming.rows,
          'view ms': round(viewTiming.ms),
          'range function ms': round(functionTiming.ms),
          speedup: `${(viewTiming.ms / functionTiming.ms).toFixed(1)}×`,
        });
      }
    }
    return rows;
  } finally {
    await pool.end();
    await db.drop();
  }
}

async function median(query: () => Promise<number>): Promise<{ ms: number; rows: number }> {
  let rows = await query(); // warm-up: plans and caches
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    rows = await query();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], rows };
}

const round = (ms: number) => Number(ms.toFixed(ms < 10 ? 2 : 1));

import type { EnergyInterval, EnergyQuery } from './energy-query';
import { EnergyValueError } from './errors';

/** One interval of one meter, as billing reads it. */
export interface EnergyRow {
  meterId: string;
  /** ISO 8601 UTC instants; `end` is exclusive. For 1h and 1d, the meter's local hour or day. */
  start: string;
  end: string;
  /** The time zone the hour or day is local to; null for 15m windows, which are plain instants. */
  timezone: string | null;
  /** Exact integer milliwatt-hours, as decimal digits: never a float. */
  energyMwh: string;
  readings: number;
  maxPowerW: number | null;
  resets: number;
  /** 15m: the window is final. 1h/1d: every window of the hour or local day exists and is final. */
  complete: boolean;
  /**
   * How often the figures were restated: 15m the window's revision (0 until a late event restated it), 1h/1d the
   * sum of their windows' revisions (it grows at every restatement of any of them). An invoice names it.
   */
  revision: number;
}

/** What the queries need of node-postgres: a `Pool`, a `PoolClient` or a `Client` will do. */
export interface Queryable {
  // biome-ignore lint/suspicious/noExplicitAny: node-postgres types its rows as any
  query(text: string, values: unknown[]): Promise<{ rows: any[] }>;
}

// Every column is read as text and converted here, so node-postgres' type parsers (which an application may
// change globally) never touch a value: bigint sums stay exact, instants are epoch ms.
function select(source: string, start: string, end: string, timezone: string, complete: string): string {
  const epochMs = (column: string) => `(extract(epoch FROM ${column}) * 1000)::bigint::text`;
  return `SELECT meter_id, ${epochMs(start)} AS start_ms, ${epochMs(end)} AS end_ms, ${timezone} AS timezone,
      energy_mwh::text AS energy_mwh, readings::text AS readings, max_power_w::text AS max_power_w,
      resets::text AS resets, ${complete} AS complete, revision::text AS revision
    FROM ${source}
    WHERE tenant = $1 AND ($2::text IS NULL OR meter_id = $2) AND ${start} >= $3::timestamptz AND ${start} < $4::timestamptz
    ORDER BY meter_id COLLATE "C", ${start}`;
}

// Fixed statements, one per interval: only values are parameters, never text of the request. Hours and days come
// from the rollup functions, which read only the range's 15-minute windows (the views would group every window of
// the tenant first: a filter on their start cannot reach the table's index).
const rollupRange = (fn: string) => `${fn}($1, $2::text, $3::timestamptz, $4::timestamptz)`;
const STATEMENTS: Record<EnergyInterval, string> = {
  '15m': select('meter_energy_15m', 'window_start', 'window_end', 'NULL::text', 'is_final'),
  '1h': select(rollupRange('meter_energy_hourly_between'), 'hour_start', 'hour_end', 'timezone', 'is_complete'),
  '1d': select(rollupRange('meter_energy_daily_between'), 'day_start', 'day_end', 'timezone', 'is_complete'),
};

/**
 * The tenant's intervals (one meter's, with `meterId`) whose start lies in [from, to), ordered by meter id (bytewise)
 * then start, in one parameterised statement over `meter_energy_15m` or the rollups (`meter_energy_hourly_between`,
 * `meter_energy_daily_between`: the rows of the views `meter_energy_hourly` and `meter_energy_daily`).
 */
export async function energyIntervals(db: Queryable, query: EnergyQuery): Promise<EnergyRow[]> {
  const { rows } = await db.query(STATEMENTS[query.interval], [
    query.tenant,
    query.meterId ?? null,
    new Date(query.from).toISOString(),
    new Date(query.to).toISOString(),
  ]);
  return rows.map((r) => ({
    meterId: r.meter_id,
    start: new Date(Number(r.start_ms)).toISOString(),
    end: new Date(Number(r.end_ms)).toISOString(),
    timezone: r.timezone,
    energyMwh: exactMwh(r.energy_mwh, r.meter_id),
    readings: Number(r.readings),
    maxPowerW: r.max_power_w === null ? null : Number(r.max_power_w),
    resets: Number(r.resets),
    complete: r.complete === true,
    revision: Number(r.revision),
  }));
}

/** Checks a stored energy is a non-negative integer of mWh, as the contract says; never rounds one. */
export function exactMwh(value: unknown, meterId?: string): string {
  const text = typeof value === 'bigint' ? value.toString() : value;
  if (typeof text !== 'string' || !/^\d+$/.test(text)) {
    throw new EnergyValueError('energy must be a non-negative whole number of milliwatt-hours', {
      meterId,
      value: String(value).slice(0, 40),
    });
  }
  return text.replace(/^0+(?=\d)/, '');
}

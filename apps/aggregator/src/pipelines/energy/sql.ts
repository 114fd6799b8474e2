import type { PoolClient } from 'pg';
import type { EnergyWindowRow } from '../../energy';

/** One change of a `meter_energy_15m` row, with the version it was published under. */
export interface EnergyWindowChange {
  tenant: string;
  meterId: string;
  row: EnergyWindowRow;
  version: number;
  /** How often the row was restated (0 until its first restatement). */
  revision: number;
}

/** A meter's properties as the `meters` table holds them (a PUT replaces them all). */
export interface MeterPropertiesRow {
  tenant: string;
  meterId: string;
  name: string | null;
  site: string | null;
  timezone: string | null;
}

const EPOCH_MS = "'epoch'::timestamptz + interval '1 millisecond' *";

/**
 * Upserts the newest change of each row (one statement from unnest arrays). `WHERE t.version < EXCLUDED.version`
 * keeps a row from going backwards if an older version is ever written again; the table's guard trigger
 * checks the rest (is_final never reverts, a final row's numbers change only with a higher revision).
 */
export async function writeEnergyWindows(client: PoolClient, changes: readonly EnergyWindowChange[]): Promise<void> {
  const latest = new Map<string, EnergyWindowChange>();
  for (const c of changes) {
    const id = `${c.tenant}/${c.meterId}/${c.row.windowStart}`;
    const seen = latest.get(id);
    if (!seen || seen.version < c.version) latest.set(id, c);
  }
  if (latest.size === 0) return;
  const list = [...latest.values()];
  await client.query(
    `INSERT INTO meter_energy_15m AS t
       (tenant, meter_id, window_start, window_end, energy_mwh, readings, max_power_w, resets, is_final, version,
        revision)
     SELECT u.tenant, u.meter_id, ${EPOCH_MS} u.ws, ${EPOCH_MS} u.we, u.energy_mwh, u.readings, u.max_power_w,
            u.resets, u.is_final, u.version, u.revision
     FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::int[], $7::float8[],
                 $8::int[], $9::boolean[], $10::bigint[], $11::int[])
       AS u(tenant, meter_id, ws, we, energy_mwh, readings, max_power_w, resets, is_final, version, revision)
     ON CONFLICT (tenant, meter_id, window_start) DO UPDATE
       SET energy_mwh = EXCLUDED.energy_mwh, readings = EXCLUDED.readings, max_power_w = EXCLUDED.max_power_w,
           resets = EXCLUDED.resets, is_final = EXCLUDED.is_final, version = EXCLUDED.version,
           revision = EXCLUDED.revision
       WHERE t.version < EXCLUDED.version`,
    [
      list.map((c) => c.tenant),
      list.map((c) => c.meterId),
      list.map((c) => c.row.windowStart),
      list.map((c) => c.row.windowEnd),
      list.map((c) => c.row.energyMwh),
      list.map((c) => c.row.readings),
      list.map((c) => c.row.maxPowerW),
      list.map((c) => c.row.resets),
      list.map((c) => c.row.isFinal),
      list.map((c) => c.version),
      list.map((c) => c.revision),
    ],
  );
}

/**
 * Upserts meter properties, the last message of each meter winning (a stream's messages are in order). A time
 * zone Postgres does not know is stored as NULL rather than failing the checkpoint on the column's CHECK: the
 * topology already reported names the runtime rejects, and the two zone databases may differ.
 */
export async function writeMeters(client: PoolClient, rows: readonly MeterPropertiesRow[]): Promise<void> {
  const latest = new Map<string, MeterPropertiesRow>();
  for (const r of rows) latest.set(`${r.tenant}/${r.meterId}`, r);
  if (latest.size === 0) return;
  const list = [...latest.values()];
  await client.query(
    `INSERT INTO meters AS t (tenant, meter_id, name, site, timezone)
     SELECT u.tenant, u.meter_id, u.name, u.site,
            CASE WHEN u.timezone IS NOT NULL AND switchboard_is_time_zone(u.timezone) THEN u.timezone END
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(tenant, meter_id, name, site, timezone)
     ON CONFLICT (tenant, meter_id) DO UPDATE
       SET name = EXCLUDED.name, site = EXCLUDED.site, timezone = EXCLUDED.timezone, updated_at = now()`,
    [
      list.map((r) => r.tenant),
      list.map((r) => r.meterId),
      list.map((r) => r.name),
      list.map((r) => r.site),
      list.map((r) => r.timezone),
    ],
  );
}

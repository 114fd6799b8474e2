import type { MeterEnergy15mRow } from '@switchboard/domain';
import type { Pool } from 'pg';
import type { EnergyLoader } from './energy-channel';
import type { MeterInfo } from './energy-overview';
import { meterWindowUpdate } from './postgres-fill';

/**
 * The `energy` channel's reads: the tenant's meters with their site and zone (the meter's, else the tenant's, else
 * UTC, as the daily rollups use), and its meter windows of the horizon, newest first and at most `limit`, as the
 * typed rows the aggregator publishes (libs/domain update-rows), so they merge with live ones by version.
 */
export function energyLoader(pool: Pool, limit: number): EnergyLoader {
  return {
    async meters(tenant, meterIds) {
      const { rows } = await pool.query<{ meter_id: string; name: string | null; site: string | null; tz: string }>(
        meterIds === null
          ? `SELECT m.meter_id, m.name, m.site, coalesce(m.timezone, t.timezone, 'UTC') AS tz
             FROM meters m LEFT JOIN tenants t ON t.tenant = m.tenant WHERE m.tenant = $1 LIMIT $2`
          : `SELECT ids.id AS meter_id, m.name, m.site, coalesce(m.timezone, t.timezone, 'UTC') AS tz
             FROM unnest($3::text[]) AS ids(id)
             LEFT JOIN meters m ON m.tenant = $1 AND m.meter_id = ids.id
             LEFT JOIN tenants t ON t.tenant = $1
             LIMIT $2`,
        meterIds === null ? [tenant, limit] : [tenant, limit, meterIds],
      );
      return rows.map((r): MeterInfo => ({ meterId: r.meter_id, name: r.name, site: r.site, timezone: r.tz }));
    },
    async windows(tenant, sinceMs) {
      const { rows } = await pool.query(
        `SELECT meter_id, window_start, window_end, energy_mwh::float8 AS energy_mwh, readings, max_power_w, resets,
                is_final, version::float8 AS version, revision
         FROM meter_energy_15m WHERE tenant = $1 AND window_start >= $2 ORDER BY window_start DESC LIMIT $3`,
        [tenant, new Date(sinceMs), limit],
      );
      return rows.map((r): MeterEnergy15mRow => meterWindowUpdate(tenant, r.meter_id, r).row);
    },
  };
}

import type { Pool } from 'pg';
import type { ProbedPage } from './browser-probe';
import { PROBE_MWH_PER_VERSION } from './live-rows';

const MWH_PER_UNIT: Record<string, number> = { Wh: 1e3, kWh: 1e6, MWh: 1e9 };

/** The version a probe meter's "today" cell shows ("12.00 kWh" → 12 at 1 kWh a version); 0 for anything else. */
export function probeVersionOf(text: string): number {
  const m = /^([\d.]+) (Wh|kWh|MWh)$/.exec(text.trim());
  if (!m) return 0;
  return Math.round((Number(m[1]) * MWH_PER_UNIT[m[2]]) / PROBE_MWH_PER_VERSION);
}

/**
 * The tenant's meters as the energy page groups them: `meters` rows (name, site, UTC) spread over `sites` sites,
 * for an `energy` row set's meters (ids live-rows.ts's meterName). Returns a function that deletes them again.
 */
export async function seedMeters(
  pool: Pool,
  tenant: string,
  meterIds: readonly string[],
  sites: number,
): Promise<() => Promise<void>> {
  if (!(sites >= 1)) throw new Error(`seedMeters: sites must be at least 1, not ${sites}`);
  await pool.query(
    `INSERT INTO meters (tenant, meter_id, name, site, timezone)
     SELECT $1, id, 'Meter ' || id, 'site-' || (ord % $3), 'UTC' FROM unnest($2::text[]) WITH ORDINALITY AS m(id, ord)`,
    [tenant, meterIds, sites],
  );
  return async () => {
    await pool.query('DELETE FROM meters WHERE tenant = $1', [tenant]);
  };
}

/**
 * The energy page (`/energy`), fed an `energy` row set: the probe meters are its top meters, each row's "today"
 * saying the version it holds, so every produced probe version has a moment it, or a newer one, reached the DOM.
 * The other meters' updates fold into the sites' cards and charts (the gateway's `energy` channel).
 */
export const energyPage: ProbedPage = {
  path: '/energy',
  watch: { list: '#top-rows', item: 'tr[data-meter]', key: 'data-meter', value: 'td[data-field="today"]' },
  versionOf: probeVersionOf,
};

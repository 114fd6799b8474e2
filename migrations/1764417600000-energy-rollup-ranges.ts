import { MigrationInterface, QueryRunner } from 'typeorm';

// Each 15-minute window with the time zone of its meter: the meter's, else the tenant's, else UTC. `where` narrows
// the windows read (empty for the views).
const windowsWithZone = (where: string) => `
      SELECT e.*, coalesce(m.timezone, t.timezone, 'UTC') AS timezone
      FROM meter_energy_15m e
      LEFT JOIN meters m ON m.tenant = e.tenant AND m.meter_id = e.meter_id
      LEFT JOIN tenants t ON t.tenant = e.tenant
      ${where}`;

// Local hours: the instant minus its local minutes, so half- and quarter-hour zones (India, Nepal) get their own
// hour boundaries and the repeated hour of an autumn night stays two distinct hours.
const hourly = (where: string) => `
      WITH w AS (${windowsWithZone(where)}),
      h AS (
        SELECT w.*,
          w.window_start - make_interval(mins => extract(minute FROM w.window_start AT TIME ZONE w.timezone)::int)
            AS hour_start
        FROM w
      )
      SELECT
        tenant, meter_id, timezone,
        hour_start,
        hour_start + interval '1 hour' AS hour_end,
        hour_start AT TIME ZONE timezone AS local_hour,
        sum(energy_mwh)::bigint AS energy_mwh,
        sum(readings)::bigint AS readings,
        max(max_power_w) AS max_power_w,
        sum(resets)::bigint AS resets,
        count(*)::int AS windows,
        4 AS expected_windows,
        bool_and(is_final) AS is_final,
        bool_and(is_final) AND count(*) = 4 AS is_complete,
        max(updated_at) AS updated_at
      FROM h
      GROUP BY tenant, meter_id, timezone, hour_start`;

// Local days: a daylight-saving day has 92 or 100 quarter hours (expected_windows says which).
const daily = (where: string) => `
      WITH w AS (${windowsWithZone(where)}),
      d AS (SELECT w.*, (w.window_start AT TIME ZONE w.timezone)::date AS local_date FROM w),
      g AS (
        SELECT
          tenant, meter_id, timezone, local_date,
          local_date::timestamp AT TIME ZONE timezone AS day_start,
          (local_date + 1)::timestamp AT TIME ZONE timezone AS day_end,
          sum(energy_mwh)::bigint AS energy_mwh,
          sum(readings)::bigint AS readings,
          max(max_power_w) AS max_power_w,
          sum(resets)::bigint AS resets,
          count(*)::int AS windows,
          bool_and(is_final) AS is_final,
          max(updated_at) AS updated_at
        FROM d
        GROUP BY tenant, meter_id, timezone, local_date
      )
      SELECT
        tenant, meter_id, timezone, local_date, day_start, day_end,
        energy_mwh, readings, max_power_w, resets, windows,
        (extract(epoch FROM day_end - day_start) / 900)::int AS expected_windows,
        is_final,
        is_final AND windows = (extract(epoch FROM day_end - day_start) / 900)::int AS is_complete,
        updated_at
      FROM g`;

// The windows of the rollups that start in [p_from, p_to): a local hour or day holds windows from its start to less
// than 25 hours after it (the longest local day), so 26 hours past p_to reads every window they need. Rollups the
// margin cuts short start outside the range and are dropped after grouping.
const inRange = `WHERE e.tenant = p_tenant AND (p_meter IS NULL OR e.meter_id = p_meter)
        AND e.window_start >= p_from AND e.window_start < p_to + interval '26 hours'`;

/**
 * The hourly and daily rollups of one tenant (or one meter) whose start lies in a range, as functions:
 * `meter_energy_hourly_between(tenant, meter or NULL, from, to)` and `meter_energy_daily_between(…)`, rows as in
 * the views. A filter on a view's `hour_start`/`day_start` cannot reach `meter_energy_15m`'s index (the views group
 * by an expression of `window_start`), so a month of billing read every window of the tenant's history; the
 * functions read the windows of the range alone. The views are redefined from the same SQL text (unchanged
 * columns and results), so the two can never disagree.
 */
export class EnergyRollupRanges1764417600000 implements MigrationInterface {
  name = 'EnergyRollupRanges1764417600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE VIEW meter_energy_hourly AS ${hourly('')}`);
    await q.query(`CREATE OR REPLACE VIEW meter_energy_daily AS ${daily('')}`);
    await q.query(`
      CREATE FUNCTION meter_energy_hourly_between(p_tenant text, p_meter text, p_from timestamptz, p_to timestamptz)
      RETURNS SETOF meter_energy_hourly LANGUAGE sql STABLE AS $fn$
        SELECT * FROM (${hourly(inRange)}) r WHERE r.hour_start >= p_from AND r.hour_start < p_to
      $fn$`);
    await q.query(`
      CREATE FUNCTION meter_energy_daily_between(p_tenant text, p_meter text, p_from timestamptz, p_to timestamptz)
      RETURNS SETOF meter_energy_daily LANGUAGE sql STABLE AS $fn$
        SELECT * FROM (${daily(inRange)}) r WHERE r.day_start >= p_from AND r.day_start < p_to
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION meter_energy_daily_between(text, text, timestamptz, timestamptz)');
    await q.query('DROP FUNCTION meter_energy_hourly_between(text, text, timestamptz, timestamptz)');
  }
}

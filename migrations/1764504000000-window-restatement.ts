import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accepted means counted (PRODUCT.md): an event for a final window restates it instead of being dropped as late.
 *
 * - `queue_stats_1m` and `meter_energy_15m` gain `revision` (0 until the first restatement, then +1 at each) and
 *   `restated_at` (set by the database when `revision` grows, or when a row is inserted already restated: a final
 *   window that had no row until a late event arrived).
 * - The row guard: `version` grows at every change (as before); `is_final` never goes back to false (as before);
 *   a final row's numbers change only together with a higher `revision`, and `revision` never goes down.
 * - Rollups (`meter_energy_hourly`, `meter_energy_daily`, `site_energy_daily` and the range functions) gain
 *   `revision` = the sum of their windows' revisions (it grows by one at every restatement of any of its windows,
 *   so an invoice can name the state it was made from) and `restated_at` = the latest of their windows'.
 *
 * The rollup SQL is written out again here rather than imported: a migration is a snapshot of the schema at its
 * date and must not change when a later migration or the code does.
 */
export class WindowRestatement1764504000000 implements MigrationInterface {
  name = 'WindowRestatement1764504000000';

  async up(q: QueryRunner): Promise<void> {
    await dropRollups(q);
    await q.query(STAMP_ON_INSERT);
    for (const table of RESTATABLE) {
      await q.query(`
        ALTER TABLE ${table}
          ADD COLUMN revision integer NOT NULL DEFAULT 0 CHECK (revision >= 0),
          ADD COLUMN restated_at timestamptz,
          ADD CONSTRAINT ${table}_restated_only_final CHECK (revision = 0 OR is_final)`);
      await q.query(`
        CREATE TRIGGER ${table}_restated_on_insert BEFORE INSERT ON ${table}
        FOR EACH ROW EXECUTE FUNCTION switchboard_stamp_restated_insert()`);
    }
    await q.query(GUARD_WITH_RESTATEMENT);
    await createRollups(q, true);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropRollups(q);
    await q.query(GUARD_WITHOUT_RESTATEMENT);
    for (const table of RESTATABLE) {
      await q.query(`DROP TRIGGER ${table}_restated_on_insert ON ${table}`);
      await q.query(`
        ALTER TABLE ${table}
          DROP CONSTRAINT ${table}_restated_only_final,
          DROP COLUMN restated_at,
          DROP COLUMN revision`);
    }
    await q.query('DROP FUNCTION switchboard_stamp_restated_insert()');
    await createRollups(q, false);
  }
}

const RESTATABLE = ['queue_stats_1m', 'meter_energy_15m'] as const;

const STAMP_ON_INSERT = `
  CREATE OR REPLACE FUNCTION switchboard_stamp_restated_insert() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NEW.revision > 0 THEN
      NEW.restated_at := now();
    END IF;
    RETURN NEW;
  END $$`;

const guardFunction = (restatable: boolean) => `
  CREATE OR REPLACE FUNCTION switchboard_guard_versioned_row() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    old_row jsonb := to_jsonb(OLD);
    new_row jsonb := to_jsonb(NEW);
    row_key text := '';
    key_column text;
    ${restatable ? 'old_revision integer := coalesce((old_row ->> $r$revision$r$)::integer, 0);' : ''}
    ${restatable ? 'new_revision integer := coalesce((new_row ->> $r$revision$r$)::integer, 0);' : ''}
  BEGIN
    FOREACH key_column IN ARRAY TG_ARGV LOOP
      row_key := row_key || key_column || '=' || coalesce(old_row ->> key_column, 'null') || ' ';
    END LOOP;
    IF NEW.version <= OLD.version THEN
      RAISE EXCEPTION '%: version must grow at every change (% from % to %)',
        TG_TABLE_NAME, trim(row_key), OLD.version, NEW.version
        USING ERRCODE = 'check_violation';
    END IF;
    ${
      restatable
        ? `IF new_revision < old_revision THEN
      RAISE EXCEPTION '%: revision never goes down (% from % to %)',
        TG_TABLE_NAME, trim(row_key), old_revision, new_revision
        USING ERRCODE = 'check_violation';
    END IF;`
        : ''
    }
    IF coalesce((old_row ->> 'is_final')::boolean, false) THEN
      IF NOT coalesce((new_row ->> 'is_final')::boolean, false) THEN
        RAISE EXCEPTION '%: is_final never goes back to false (%)', TG_TABLE_NAME, trim(row_key)
          USING ERRCODE = 'check_violation';
      END IF;
      IF (old_row - 'version' - 'updated_at' - 'is_final' - 'revision' - 'restated_at') IS DISTINCT FROM
         (new_row - 'version' - 'updated_at' - 'is_final' - 'revision' - 'restated_at')
         ${restatable ? 'AND new_revision <= old_revision' : ''} THEN
        RAISE EXCEPTION '%: ${
          restatable ? 'a final row changes only by a restatement (revision + 1)' : 'a final row never changes'
        } (%)', TG_TABLE_NAME, trim(row_key)
          USING ERRCODE = 'check_violation';
      END IF;
    END IF;
    ${restatable ? 'IF new_revision > old_revision THEN NEW.restated_at := now(); END IF;' : ''}
    NEW.updated_at := now();
    RETURN NEW;
  END $$`;

const GUARD_WITH_RESTATEMENT = guardFunction(true);
const GUARD_WITHOUT_RESTATEMENT = guardFunction(false);

// ── rollups: the SQL of 1764417600000-energy-rollup-ranges, plus revision and restated_at ────────────────────────────────────────────────────────────────────────────

const windowsWithZone = (where: string) => `
      SELECT e.*, coalesce(m.timezone, t.timezone, 'UTC') AS timezone
      FROM meter_energy_15m e
      LEFT JOIN meters m ON m.tenant = e.tenant AND m.meter_id = e.meter_id
      LEFT JOIN tenants t ON t.tenant = e.tenant
      ${where}`;

const hourly = (where: string, restated: boolean) => `
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
        max(updated_at) AS updated_at${
          restated
            ? `,
        sum(revision)::bigint AS revision,
        max(restated_at) AS restated_at`
            : ''
        }
      FROM h
      GROUP BY tenant, meter_id, timezone, hour_start`;

const daily = (where: string, restated: boolean) => `
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
          max(updated_at) AS updated_at${
            restated
              ? `,
          sum(revision)::bigint AS revision,
          max(restated_at) AS restated_at`
              : ''
          }
        FROM d
        GROUP BY tenant, meter_id, timezone, local_date
      )
      SELECT
        tenant, meter_id, timezone, local_date, day_start, day_end,
        energy_mwh, readings, max_power_w, resets, windows,
        (extract(epoch FROM day_end - day_start) / 900)::int AS expected_windows,
        is_final,
        is_final AND windows = (extract(epoch FROM day_end - day_start) / 900)::int AS is_complete,
        updated_at${restated ? ', revision, restated_at' : ''}
      FROM g`;

const siteDaily = (restated: boolean) => `
      SELECT
        d.tenant, m.site, d.local_date,
        CASE WHEN count(DISTINCT d.timezone) = 1 THEN min(d.timezone) END AS timezone,
        min(d.day_start) AS day_start,
        max(d.day_end) AS day_end,
        sum(d.energy_mwh)::bigint AS energy_mwh,
        sum(d.readings)::bigint AS readings,
        sum(d.resets)::bigint AS resets,
        count(*)::int AS meters,
        sum(d.windows)::bigint AS windows,
        sum(d.expected_windows)::bigint AS expected_windows,
        bool_and(d.is_final) AS is_final,
        bool_and(d.is_complete) AS is_complete,
        max(d.updated_at) AS updated_at${
          restated
            ? `,
        sum(d.revision)::bigint AS revision,
        max(d.restated_at) AS restated_at`
            : ''
        }
      FROM meter_energy_daily d
      JOIN meters m ON m.tenant = d.tenant AND m.meter_id = d.meter_id
      WHERE m.site IS NOT NULL
      GROUP BY d.tenant, m.site, d.local_date`;

const inRange = `WHERE e.tenant = p_tenant AND (p_meter IS NULL OR e.meter_id = p_meter)
        AND e.window_start >= p_from AND e.window_start < p_to + interval '26 hours'`;

/** The rollups read `meter_energy_15m` with `e.*`, so they are dropped before its columns change and made again after. */
async function dropRollups(q: QueryRunner): Promise<void> {
  await q.query('DROP FUNCTION meter_energy_daily_between(text, text, timestamptz, timestamptz)');
  await q.query('DROP FUNCTION meter_energy_hourly_between(text, text, timestamptz, timestamptz)');
  await q.query('DROP VIEW site_energy_daily');
  await q.query('DROP VIEW meter_energy_daily');
  await q.query('DROP VIEW meter_energy_hourly');
}

async function createRollups(q: QueryRunner, restated: boolean): Promise<void> {
  await q.query(`CREATE VIEW meter_energy_hourly AS ${hourly('', restated)}`);
  await q.query(`CREATE VIEW meter_energy_daily AS ${daily('', restated)}`);
  await q.query(`CREATE VIEW site_energy_daily AS ${siteDaily(restated)}`);
  await q.query(`
      CREATE FUNCTION meter_energy_hourly_between(p_tenant text, p_meter text, p_from timestamptz, p_to timestamptz)
      RETURNS SETOF meter_energy_hourly LANGUAGE sql STABLE AS $fn$
        SELECT * FROM (${hourly(inRange, restated)}) r WHERE r.hour_start >= p_from AND r.hour_start < p_to
      $fn$`);
  await q.query(`
      CREATE FUNCTION meter_energy_daily_between(p_tenant text, p_meter text, p_from timestamptz, p_to timestamptz)
      RETURNS SETOF meter_energy_daily LANGUAGE sql STABLE AS $fn$
        SELECT * FROM (${daily(inRange, restated)}) r WHERE r.day_start >= p_from AND r.day_start < p_to
      $fn$`);
}

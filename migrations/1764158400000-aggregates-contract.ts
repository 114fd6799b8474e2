import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The aggregator's part of the PostgreSQL contract (PRODUCT.md): queue and energy windows, their local-time
 * rollups, entity properties, agent status, alerts and data-quality events. Column names are a public API.
 *
 * Aggregate and property tables carry `tenant` without a foreign key: the aggregator's checkpoint must never fail
 * on the order in which tenants and their data appear; API keys (which do reference tenants) guard the entry.
 */
export class AggregatesContract1764158400000 implements MigrationInterface {
  name = 'AggregatesContract1764158400000';

  async up(q: QueryRunner): Promise<void> {
    // A bad time zone name in one row would make every rollup query fail, so names are checked on write.
    await q.query(`
      CREATE FUNCTION switchboard_is_time_zone(tz text) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
      BEGIN
        PERFORM now() AT TIME ZONE tz;
        RETURN true;
      EXCEPTION WHEN invalid_parameter_value THEN
        RETURN false;
      END $$`);
    await q.query(
      'ALTER TABLE tenants ADD CONSTRAINT tenants_timezone_valid CHECK (switchboard_is_time_zone(timezone))',
    );

    // version only grows; is_final never goes back to false; a final row's numbers never change (late events are
    // counted elsewhere, never applied). updated_at is the writing transaction's time.
    await q.query(`
      CREATE FUNCTION switchboard_guard_versioned_row() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        old_row jsonb := to_jsonb(OLD);
        new_row jsonb := to_jsonb(NEW);
        row_key text := '';
        key_column text;
      BEGIN
        FOREACH key_column IN ARRAY TG_ARGV LOOP
          row_key := row_key || key_column || '=' || coalesce(old_row ->> key_column, 'null') || ' ';
        END LOOP;
        IF NEW.version <= OLD.version THEN
          RAISE EXCEPTION '%: version must grow at every change (% from % to %)',
            TG_TABLE_NAME, trim(row_key), OLD.version, NEW.version
            USING ERRCODE = 'check_violation';
        END IF;
        IF coalesce((old_row ->> 'is_final')::boolean, false) THEN
          IF NOT coalesce((new_row ->> 'is_final')::boolean, false) THEN
            RAISE EXCEPTION '%: is_final never goes back to false (%)', TG_TABLE_NAME, trim(row_key)
              USING ERRCODE = 'check_violation';
          END IF;
          IF (old_row - 'version' - 'updated_at' - 'is_final') IS DISTINCT FROM
             (new_row - 'version' - 'updated_at' - 'is_final') THEN
            RAISE EXCEPTION '%: a final row never changes (%)', TG_TABLE_NAME, trim(row_key)
              USING ERRCODE = 'check_violation';
          END IF;
        END IF;
        NEW.updated_at := now();
        RETURN NEW;
      END $$`);

    await q.query(`
      CREATE TABLE queue_stats_1m (
        tenant                text NOT NULL,
        queue                 text NOT NULL,
        window_start          timestamptz NOT NULL,
        window_end            timestamptz NOT NULL,
        offered               integer NOT NULL DEFAULT 0 CHECK (offered >= 0),
        answered              integer NOT NULL DEFAULT 0 CHECK (answered >= 0),
        abandoned             integer NOT NULL DEFAULT 0 CHECK (abandoned >= 0),
        answered_in_sla       integer NOT NULL DEFAULT 0 CHECK (answered_in_sla BETWEEN 0 AND answered),
        abandoned_short       integer NOT NULL DEFAULT 0 CHECK (abandoned_short BETWEEN 0 AND abandoned),
        answered_wait_ms_sum  bigint NOT NULL DEFAULT 0 CHECK (answered_wait_ms_sum >= 0),
        wait_ms_sum           bigint NOT NULL DEFAULT 0 CHECK (wait_ms_sum >= 0),
        max_wait_ms           bigint CHECK (max_wait_ms >= 0),
        talk_ms_sum           bigint NOT NULL DEFAULT 0 CHECK (talk_ms_sum >= 0),
        talk_count            integer NOT NULL DEFAULT 0 CHECK (talk_count >= 0),
        is_final              boolean NOT NULL DEFAULT false,
        version               bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
        updated_at            timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant, queue, window_start),
        CONSTRAINT queue_stats_1m_window CHECK (
          extract(epoch FROM window_start) % 60 = 0 AND window_end = window_start + interval '1 minute')
      )`);
    await q.query('CREATE INDEX queue_stats_1m_tenant_window_idx ON queue_stats_1m (tenant, window_start)');

    await q.query(`
      CREATE TABLE meter_energy_15m (
        tenant        text NOT NULL,
        meter_id      text NOT NULL,
        window_start  timestamptz NOT NULL,
        window_end    timestamptz NOT NULL,
        energy_mwh    bigint NOT NULL DEFAULT 0 CHECK (energy_mwh >= 0),
        readings      integer NOT NULL DEFAULT 0 CHECK (readings >= 0),
        max_power_w   double precision,
        resets        integer NOT NULL DEFAULT 0 CHECK (resets BETWEEN 0 AND readings),
        is_final      boolean NOT NULL DEFAULT false,
        version       bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant, meter_id, window_start),
        CONSTRAINT meter_energy_15m_window CHECK (
          extract(epoch FROM window_start) % 900 = 0 AND window_end = window_start + interval '15 minutes')
      )`);
    await q.query('CREATE INDEX meter_energy_15m_tenant_window_idx ON meter_energy_15m (tenant, window_start)');

    for (const [table, keys] of [
      ['queue_stats_1m', "'tenant', 'queue', 'window_start'"],
      ['meter_energy_15m', "'tenant', 'meter_id', 'window_start'"],
    ]) {
      await q.query(`
        CREATE TRIGGER ${table}_guard BEFORE UPDATE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION switchboard_guard_versioned_row(${keys})`);
    }

    await q.query(`
      CREATE TABLE meters (
        tenant      text NOT NULL,
        meter_id    text NOT NULL CHECK (meter_id ~ '^[A-Za-z0-9._:-]{1,64}$'),
        name        text,
        site        text,
        timezone    text CHECK (switchboard_is_time_zone(timezone)),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant, meter_id)
      )`);
    await q.query('CREATE INDEX meters_tenant_site_idx ON meters (tenant, site)');

    await q.query(`
      CREATE TABLE queues (
        tenant       text NOT NULL,
        queue        text NOT NULL CHECK (queue ~ '^[A-Za-z0-9._:-]{1,64}$'),
        name         text,
        sla_seconds  integer NOT NULL DEFAULT 20 CHECK (sla_seconds >= 0),
        updated_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant, queue)
      )`);

    await q.query(`
      CREATE TABLE agent_status (
        tenant      text NOT NULL,
        agent_id    text NOT NULL,
        status      text NOT NULL CHECK (status IN ('available', 'busy', 'wrap_up', 'break', 'offline')),
        since       timestamptz NOT NULL,
        version     bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant, agent_id)
      )`);
    await q.query(`
      CREATE TRIGGER agent_status_guard BEFORE UPDATE ON agent_status
      FOR EACH ROW EXECUTE FUNCTION switchboard_guard_versioned_row('tenant', 'agent_id')`);

    await q.query(`
      CREATE TABLE alerts (
        alert_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant       text NOT NULL,
        rule         text NOT NULL,
        entity_type  text NOT NULL CHECK (entity_type IN ('queue', 'agent', 'meter', 'site', 'service')),
        entity_id    text NOT NULL,
        severity     text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
        state        text NOT NULL CHECK (state IN ('firing', 'resolved')),
        message      text NOT NULL,
        value        double precision,
        threshold    double precision,
        details      jsonb NOT NULL DEFAULT '{}',
        fired_at     timestamptz NOT NULL,
        resolved_at  timestamptz,
        version      bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
        updated_at   timestamptz NOT NULL DEFAULT now(),
        CHECK ((state = 'resolved') = (resolved_at IS NOT NULL))
      )`);
    // One firing alert per rule and entity: a rule that keeps matching updates it instead of piling up rows.
    await q.query(`
      CREATE UNIQUE INDEX alerts_one_firing_idx ON alerts (tenant, rule, entity_type, entity_id)
      WHERE state = 'firing'`);
    await q.query('CREATE INDEX alerts_tenant_fired_idx ON alerts (tenant, fired_at DESC)');
    await q.query(`
      CREATE TRIGGER alerts_guard BEFORE UPDATE ON alerts
      FOR EACH ROW EXECUTE FUNCTION switchboard_guard_versioned_row('tenant', 'alert_id')`);

    await q.query(`
      CREATE TABLE data_quality_events (
        event_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant       text NOT NULL,
        kind         text NOT NULL CHECK (kind ~ '^[a-z][a-z_]{0,63}$'),
        entity_type  text NOT NULL CHECK (entity_type IN ('call', 'agent', 'meter', 'queue')),
        entity_id    text NOT NULL,
        event_ts     timestamptz,
        detail       jsonb NOT NULL DEFAULT '{}',
        recorded_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      'CREATE INDEX data_quality_events_tenant_recorded_idx ON data_quality_events (tenant, recorded_at DESC)',
    );
    await q.query('CREATE INDEX data_quality_events_tenant_kind_idx ON data_quality_events (tenant, kind, event_ts)');

    // Each 15-minute window with the time zone of its meter: the meter's, else the tenant's, else UTC.
    const windowsWithZone = `
      SELECT e.*, coalesce(m.timezone, t.timezone, 'UTC') AS timezone
      FROM meter_energy_15m e
      LEFT JOIN meters m ON m.tenant = e.tenant AND m.meter_id = e.meter_id
      LEFT JOIN tenants t ON t.tenant = e.tenant`;

    // Local hours: the instant minus its local minutes, so half- and quarter-hour zones (India, Nepal) get their
    // own hour boundaries and the repeated hour of an autumn night stays two distinct hours.
    await q.query(`
      CREATE VIEW meter_energy_hourly AS
      WITH w AS (${windowsWithZone}),
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
      GROUP BY tenant, meter_id, timezone, hour_start`);

    // Local days: a daylight-saving day has 92 or 100 quarter hours (expected_windows says which).
    await q.query(`
      CREATE VIEW meter_energy_daily AS
      WITH w AS (${windowsWithZone}),
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
      FROM g`);

    // Sites: the sum of their meters' local days (meters without a site belong to no site row).
    await q.query(`
      CREATE VIEW site_energy_daily AS
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
        max(d.updated_at) AS updated_at
      FROM meter_energy_daily d
      JOIN meters m ON m.tenant = d.tenant AND m.meter_id = d.meter_id
      WHERE m.site IS NOT NULL
      GROUP BY d.tenant, m.site, d.local_date`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP VIEW site_energy_daily');
    await q.query('DROP VIEW meter_energy_daily');
    await q.query('DROP VIEW meter_energy_hourly');
    await q.query('DROP TABLE data_quality_events');
    await q.query('DROP TABLE alerts');
    await q.query('DROP TABLE agent_status');
    await q.query('DROP TABLE queues');
    await q.query('DROP TABLE meters');
    await q.query('DROP TABLE meter_energy_15m');
    await q.query('DROP TABLE queue_stats_1m');
    await q.query('DROP FUNCTION switchboard_guard_versioned_row()');
    await q.query('ALTER TABLE tenants DROP CONSTRAINT tenants_timezone_valid');
    await q.query('DROP FUNCTION switchboard_is_time_zone(text)');
  }
}

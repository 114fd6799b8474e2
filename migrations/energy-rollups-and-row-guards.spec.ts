import { Client } from 'pg';
import { testEnv, uniqueName } from '../test/support/env';
import { migrateUp } from './migrate';

// Against the real Postgres, in a database of its own: the energy rollup views follow the meter's local day
// (a Europe/London spring day has 92 quarter hours, an autumn day 100) and the row guards keep final rows final.
describe('energy rollups and row guards (real Postgres)', () => {
  const dbName = uniqueName('rollups').replaceAll('-', '_');
  const adminUrl = new URL(testEnv.databaseUrl);
  adminUrl.pathname = '/postgres';
  const url = new URL(testEnv.databaseUrl);
  url.pathname = `/${dbName}`;
  let db: Client;

  async function admin(sql: string): Promise<void> {
    const c = new Client({ connectionString: adminUrl.toString() });
    await c.connect();
    await c.query(sql).finally(() => c.end());
  }

  /** Inserts 15-minute windows of 1 Wh each, from `from` (inclusive) to `to` (exclusive). */
  async function windows(tenant: string, meterId: string, from: string, to: string, isFinal = true): Promise<void> {
    await db.query(
      `INSERT INTO meter_energy_15m (tenant, meter_id, window_start, window_end, energy_mwh, readings, max_power_w, is_final)
       SELECT $1, $2, s, s + interval '15 minutes', 1000, 1, 250.5, $5
       FROM generate_series($3::timestamptz, $4::timestamptz - interval '15 minutes', interval '15 minutes') AS s`,
      [tenant, meterId, from, to, isFinal],
    );
  }

  async function daily(tenant: string, meterId: string, localDate: string) {
    const r = await db.query(
      `SELECT timezone, day_start, day_end, energy_mwh, readings, windows, expected_windows, is_final, is_complete
       FROM meter_energy_daily WHERE tenant = $1 AND meter_id = $2 AND local_date = $3`,
      [tenant, meterId, localDate],
    );
    return r.rows;
  }

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${dbName}`);
    await migrateUp(url.toString());
    db = new Client({ connectionString: url.toString() });
    await db.connect();
    // node-postgres parses bigint (int8) as string by default: exact, and what billing jobs would see.
    await db.query(`
      INSERT INTO tenants (tenant, timezone) VALUES ('uk', 'Europe/London'), ('plain', 'UTC'), ('india', 'UTC');
      INSERT INTO meters (tenant, meter_id, site, timezone) VALUES
        ('uk', 'spring', 'depot', NULL),
        ('uk', 'autumn', 'depot', 'Europe/London'),
        ('uk', 'gappy', NULL, NULL),
        ('india', 'pune', 'pune-plant', 'Asia/Kolkata');`);
    await windows('uk', 'spring', '2026-03-29T00:00:00Z', '2026-03-29T23:00:00Z');
    await windows('uk', 'autumn', '2026-10-24T23:00:00Z', '2026-10-26T00:00:00Z');
    await windows('plain', 'no-props', '2026-03-29T00:00:00Z', '2026-03-30T00:00:00Z');
    await windows('uk', 'gappy', '2026-03-29T00:00:00Z', '2026-03-29T22:45:00Z');
    await windows('uk', 'gappy', '2026-03-29T22:45:00Z', '2026-03-29T23:00:00Z', false);
    await windows('india', 'pune', '2026-06-01T00:30:00Z', '2026-06-01T01:30:00Z');
  });

  afterAll(async () => {
    await db?.end();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  });

  it('gives a Europe/London spring-forward day 92 quarter hours (tenant time zone as the default)', async () => {
    expect(await daily('uk', 'spring', '2026-03-29')).toEqual([
      {
        timezone: 'Europe/London',
        day_start: new Date('2026-03-29T00:00:00Z'),
        day_end: new Date('2026-03-29T23:00:00Z'),
        energy_mwh: '92000',
        readings: '92',
        windows: 92,
        expected_windows: 92,
        is_final: true,
        is_complete: true,
      },
    ]);
  });

  it('gives a Europe/London fall-back day 100 quarter hours', async () => {
    expect(await daily('uk', 'autumn', '2026-10-25')).toEqual([
      expect.objectContaining({
        day_start: new Date('2026-10-24T23:00:00Z'),
        day_end: new Date('2026-10-26T00:00:00Z'),
        energy_mwh: '100000',
        windows: 100,
        expected_windows: 100,
        is_complete: true,
      }),
    ]);
  });

  it('keeps the repeated autumn hour as two local hours of 4 windows each', async () => {
    const r = await db.query(
      `SELECT hour_start, local_hour, windows, expected_windows, is_complete FROM meter_energy_hourly
       WHERE tenant = 'uk' AND meter_id = 'autumn' AND hour_start >= '2026-10-25T00:00:00Z'
         AND hour_start < '2026-10-25T02:00:00Z' ORDER BY hour_start`,
    );
    expect(r.rows.map((h) => [h.hour_start.toISOString(), h.windows, h.expected_windows, h.is_complete])).toEqual([
      ['2026-10-25T00:00:00.000Z', 4, 4, true],
      ['2026-10-25T01:00:00.000Z', 4, 4, true],
    ]);
    const c = await db.query("SELECT count(*)::int AS n FROM meter_energy_hourly WHERE meter_id = 'autumn'");
    expect(c.rows[0].n).toBe(25);
  });

  it('falls back to UTC for a meter with no properties: 96 quarter hours on the same date', async () => {
    expect(await daily('plain', 'no-props', '2026-03-29')).toEqual([
      expect.objectContaining({ timezone: 'UTC', windows: 96, expected_windows: 96, is_complete: true }),
    ]);
  });

  it('says a day is not final while one window is not, and not complete while windows are missing', async () => {
    expect(await daily('uk', 'gappy', '2026-03-29')).toEqual([
      expect.objectContaining({ windows: 92, expected_windows: 92, is_final: false, is_complete: false }),
    ]);
    await db.query("DELETE FROM meter_energy_15m WHERE meter_id = 'gappy' AND window_start = '2026-03-29T22:45:00Z'");
    expect(await daily('uk', 'gappy', '2026-03-29')).toEqual([
      expect.objectContaining({ windows: 91, expected_windows: 92, is_final: true, is_complete: false }),
    ]);
  });

  it('uses local hour boundaries in half-hour zones (Asia/Kolkata: hours start at :30 UTC)', async () => {
    const r = await db.query(
      "SELECT hour_start, local_hour, windows FROM meter_energy_hourly WHERE meter_id = 'pune' ORDER BY hour_start",
    );
    expect(r.rows.map((h) => [h.hour_start.toISOString(), h.windows])).toEqual([['2026-06-01T00:30:00.000Z', 4]]);
  });

  it('sums a site day over its meters, each by its own local day', async () => {
    const r = await db.query(
      `SELECT local_date::text, timezone, energy_mwh, meters, windows, expected_windows, is_complete
       FROM site_energy_daily WHERE tenant = 'uk' AND site = 'depot' ORDER BY local_date`,
    );
    expect(r.rows).toEqual([
      {
        local_date: '2026-03-29',
        timezone: 'Europe/London',
        energy_mwh: '92000',
        meters: 1,
        windows: '92',
        expected_windows: '92',
        is_complete: true,
      },
      {
        local_date: '2026-10-25',
        timezone: 'Europe/London',
        energy_mwh: '100000',
        meters: 1,
        windows: '100',
        expected_windows: '100',
        is_complete: true,
      },
    ]);
  });

  describe('range functions (what billing reads)', () => {
    // Every tenant and meter of the fixtures, with ranges cutting local days and hours, DST nights included.
    const ranges: [string, string | null, string, string][] = [
      ['uk', null, '2026-03-28T00:00:00Z', '2026-03-31T00:00:00Z'],
      ['uk', 'autumn', '2026-10-24T23:00:00Z', '2026-10-26T00:00:00Z'],
      ['uk', 'autumn', '2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z'],
      ['uk', 'spring', '2026-03-29T05:00:00Z', '2026-03-29T05:00:00.001Z'],
      ['uk', null, '2026-10-25T00:00:00Z', '2026-10-25T23:59:59Z'],
      ['plain', null, '2026-03-29T00:00:00Z', '2026-03-30T00:00:00Z'],
      ['india', 'pune', '2026-05-31T18:30:00Z', '2026-06-01T18:30:00Z'],
      ['india', 'pune', '2026-06-01T00:30:00Z', '2026-06-01T00:30:00Z'],
      ['nobody', null, '2020-01-01T00:00:00Z', '2030-01-01T00:00:00Z'],
    ];

    it.each(ranges)('give the views’ rows of %s/%s starting in [%s, %s)', async (tenant, meter, from, to) => {
      for (const [view, start] of [
        ['meter_energy_hourly', 'hour_start'],
        ['meter_energy_daily', 'day_start'],
      ]) {
        const order = `ORDER BY meter_id, ${start}`;
        const fromView = await db.query(
          `SELECT * FROM ${view} WHERE tenant = $1 AND ($2::text IS NULL OR meter_id = $2)
           AND ${start} >= $3 AND ${start} < $4 ${order}`,
          [tenant, meter, from, to],
        );
        const fromFunction = await db.query(`SELECT * FROM ${view}_between($1, $2, $3, $4) ${order}`, [
          tenant,
          meter,
          from,
          to,
        ]);
        expect(fromFunction.rows).toEqual(fromView.rows);
      }
    });
  });

  describe('row guards', () => {
    const key = "tenant = 'uk' AND meter_id = 'spring' AND window_start = '2026-03-29T00:00:00Z'";

    it('accepts a re-write of a final row with the same numbers and a higher version', async () => {
      await db.query(`UPDATE meter_energy_15m SET version = version + 1, is_final = true WHERE ${key}`);
      const r = await db.query(`SELECT version FROM meter_energy_15m WHERE ${key}`);
      expect(r.rows[0].version).toBe('2');
    });

    it('refuses to turn a final row back to non-final', async () => {
      await expect(
        db.query(`UPDATE meter_energy_15m SET version = version + 1, is_final = false WHERE ${key}`),
      ).rejects.toThrow(/is_final never goes back to false/);
    });

    it('refuses to change the numbers of a final row without a restatement', async () => {
      await expect(
        db.query(`UPDATE meter_energy_15m SET version = version + 1, energy_mwh = energy_mwh + 1 WHERE ${key}`),
      ).rejects.toThrow(/a final row changes only by a restatement/);
    });

    it('lets a restatement change a final row: revision + 1, restated_at stamped, rollups follow', async () => {
      const before = await daily('uk', 'spring', '2026-03-29');
      const r = await db.query(
        `UPDATE meter_energy_15m SET version = version + 1, energy_mwh = energy_mwh + 500, revision = revision + 1
         WHERE ${key} RETURNING revision, restated_at, energy_mwh`,
      );
      expect(r.rows[0]).toEqual({ revision: 1, restated_at: expect.any(Date), energy_mwh: '1500' });
      const day = await db.query(
        `SELECT energy_mwh, revision, restated_at FROM meter_energy_daily
         WHERE tenant = 'uk' AND meter_id = 'spring' AND local_date = '2026-03-29'`,
      );
      expect(day.rows[0]).toEqual({ energy_mwh: '92500', revision: '1', restated_at: r.rows[0].restated_at });
      expect(before[0].energy_mwh).toBe('92000');
      const fn = await db.query(
        `SELECT revision FROM meter_energy_daily_between('uk', 'spring', '2026-03-29T00:00:00Z', '2026-03-30T00:00:00Z')`,
      );
      expect(fn.rows).toEqual([{ revision: '1' }]);
    });

    it('refuses a revision that goes down', async () => {
      await expect(
        db.query(`UPDATE meter_energy_15m SET version = version + 1, revision = 0 WHERE ${key}`),
      ).rejects.toThrow(/revision never goes down/);
    });

    it('stamps restated_at on a window inserted already restated, and refuses a restated open window', async () => {
      const r = await db.query(
        `INSERT INTO meter_energy_15m (tenant, meter_id, window_start, window_end, energy_mwh, readings, is_final, revision)
         VALUES ('uk', 'late-only', '2026-03-29T10:00:00Z', '2026-03-29T10:15:00Z', 10, 1, true, 1)
         RETURNING restated_at`,
      );
      expect(r.rows[0].restated_at).toEqual(expect.any(Date));
      await expect(
        db.query(
          `INSERT INTO meter_energy_15m (tenant, meter_id, window_start, window_end, is_final, revision)
           VALUES ('uk', 'late-only', '2026-03-29T10:15:00Z', '2026-03-29T10:30:00Z', false, 1)`,
        ),
      ).rejects.toThrow(/restated_only_final/);
    });

    it('refuses an update that does not grow the version', async () => {
      await db.query(
        `INSERT INTO queue_stats_1m (tenant, queue, window_start, window_end, offered)
         VALUES ('uk', 'sales', '2026-03-29T10:00:00Z', '2026-03-29T10:01:00Z', 1)`,
      );
      const q = "tenant = 'uk' AND queue = 'sales'";
      await expect(db.query(`UPDATE queue_stats_1m SET offered = 2 WHERE ${q}`)).rejects.toThrow(/version must grow/);
      await db.query(`UPDATE queue_stats_1m SET offered = 2, version = version + 1 WHERE ${q}`);
      await db.query(`UPDATE queue_stats_1m SET version = version + 1, is_final = true WHERE ${q}`);
      const r = await db.query(`SELECT offered, version, is_final FROM queue_stats_1m WHERE ${q}`);
      expect(r.rows).toEqual([{ offered: 2, version: '3', is_final: true }]);
    });

    it('refuses windows that are not aligned to their size', async () => {
      await expect(
        db.query(
          `INSERT INTO meter_energy_15m (tenant, meter_id, window_start, window_end)
           VALUES ('uk', 'x', '2026-03-29T00:05:00Z', '2026-03-29T00:20:00Z')`,
        ),
      ).rejects.toThrow(/meter_energy_15m_window/);
    });

    it('refuses a time zone Postgres does not know (it would break every rollup query)', async () => {
      await expect(
        db.query("INSERT INTO meters (tenant, meter_id, timezone) VALUES ('uk', 'bad', 'Europe/Atlantis')"),
      ).rejects.toThrow(/check constraint/);
    });
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { testEnv, uniqueName } from '../support/env';
import { runSwitchboard } from '../support/switchboard-cli';

const HEADER =
  'meter_id,interval_start,interval_end,timezone,energy_wh,energy_mwh,readings,max_power_w,resets,complete,revision';
const csv = (...lines: string[]) => `${[HEADER, ...lines].join('\r\n')}\r\n`;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

// `switchboard billing export` against the real Postgres, on rows inserted for a tenant of its own:
// - meter m-lon (Europe/London) has all 100 quarter hours of 2026-10-25, the day daylight saving ends (25 hours,
//   from 2026-10-24T23:00Z to 2026-10-26T00:00Z), window k (0…99) holding 1000 + k mWh, except k = 50 (11:30Z),
//   which holds 123,456,789,012,345,678 mWh (beyond 2^53: a float would lose it) after a register reset; 3
//   readings each, max power 100.5 + k W; all final. On 2026-10-26 it has only two windows (08:00Z, 08:15Z, 500 mWh);
// - meter m-utc has no properties (the tenant has none either: UTC) and one hour, 10:00Z–11:00Z, of 4 windows of
//   250 mWh without power, the last not final yet; its first window was restated twice, its second once (revision
//   2 and 1: the hour and the day have revision 3, the sum);
// - another tenant has a meter m-lon too, over the same day, which must never appear.
// Every expected number below is computed by hand from that.
describe('billing export: exact energy per meter as CSV through the CLI', () => {
  const pool = new Pool({ connectionString: testEnv.databaseUrl, max: 2 });
  const tenant = uniqueName('bill');
  const other = uniqueName('bill-other');
  const dir = mkdtempSync(join(tmpdir(), 'billing-export-'));

  const exportCsv = (...args: string[]) =>
    runSwitchboard(['billing', 'export', '--tenant', tenant, ...args], {}, 60_000);

  beforeAll(async () => {
    await pool.query(`INSERT INTO meters (tenant, meter_id, timezone) VALUES ($1, 'm-lon', 'Europe/London')`, [tenant]);
    await pool.query(
      `INSERT INTO meter_energy_15m (tenant, meter_id, window_start, window_end, energy_mwh, readings, max_power_w,
         resets, is_final)
       SELECT $1, 'm-lon', s, s + interval '15 minutes',
         CASE WHEN k = 50 THEN 123456789012345678 ELSE 1000 + k END, 3, 100.5 + k, CASE WHEN k = 50 THEN 1 ELSE 0 END,
         true
       FROM generate_series(0, 99) AS k, LATERAL (SELECT '2026-10-24T23:00:00Z'::timestamptz + k * interval '15 minutes') AS w(s)`,
      [tenant],
    );
    await pool.query(
      `INSERT INTO meter_energy_15m
         (tenant, meter_id, window_start, window_end, energy_mwh, readings, max_power_w, is_final, revision)
       VALUES ($1, 'm-lon', '2026-10-26T08:00:00Z', '2026-10-26T08:15:00Z', 500, 3, 42, true, 0),
              ($1, 'm-lon', '2026-10-26T08:15:00Z', '2026-10-26T08:30:00Z', 500, 3, 42, true, 0),
              ($1, 'm-utc', '2026-10-25T10:00:00Z', '2026-10-25T10:15:00Z', 250, 1, NULL, true, 2),
              ($1, 'm-utc', '2026-10-25T10:15:00Z', '2026-10-25T10:30:00Z', 250, 1, NULL, true, 1),
              ($1, 'm-utc', '2026-10-25T10:30:00Z', '2026-10-25T10:45:00Z', 250, 1, NULL, true, 0),
              ($1, 'm-utc', '2026-10-25T10:45:00Z', '2026-10-25T11:00:00Z', 250, 1, NULL, false, 0)`,
      [tenant],
    );
    await pool.query(
      `INSERT INTO meter_energy_15m (tenant, meter_id, window_start, window_end, energy_mwh, readings, is_final)
       SELECT $1, 'm-lon', s, s + interval '15 minutes', 7, 1, true
       FROM generate_series('2026-10-24T23:00:00Z'::timestamptz, '2026-10-26T08:45:00Z', interval '15 minutes') AS s`,
      [other],
    );
  });

  afterAll(async () => {
    await pool.query('DELETE FROM meter_energy_15m WHERE tenant = ANY($1)', [[tenant, other]]);
    await pool.query('DELETE FROM meters WHERE tenant = ANY($1)', [[tenant, other]]);
    await pool.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it("1d: the meters' local days starting in [from, to); the 100-quarter-hour DST day is complete and exact", () => {
    const r = exportCsv('--from', '2026-10-25T00:00:00+01:00', '--to', '2026-10-27T00:00:00Z');
    expect(r.stderr).toBe('3 rows, 2 meters, 2 incomplete\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      csv(
        // Σ(1000 + k) over k = 0…99 is 104,950; less 1,050 (k = 50), plus 123,456,789,012,345,678.
        'm-lon,2026-10-24T23:00:00.000Z,2026-10-26T00:00:00.000Z,Europe/London,123456789012449.578,123456789012449578,300,199.5,1,true,0',
        // Two of 96 windows: incomplete.
        'm-lon,2026-10-26T00:00:00.000Z,2026-10-27T00:00:00.000Z,Europe/London,1.000,1000,6,42,0,false,0',
        // All four windows there, one not final: incomplete.
        'm-utc,2026-10-25T00:00:00.000Z,2026-10-26T00:00:00.000Z,UTC,1.000,1000,4,,0,false,3',
      ),
    );
  });

  it('1d: a day is selected by its own local start, so a UTC-midnight range leaves out both London days', () => {
    const r = exportCsv('--from', '2026-10-25T00:00:00Z', '--to', '2026-10-26T00:00:00Z', '--interval', '1d');
    expect([r.status, r.stderr]).toEqual([0, '1 rows, 1 meters, 1 incomplete\n']);
    expect(r.stdout).toBe(csv('m-utc,2026-10-25T00:00:00.000Z,2026-10-26T00:00:00.000Z,UTC,1.000,1000,4,,0,false,3'));
  });

  it('1h: the DST day has 25 local hours whose sum is the day, to the mWh', () => {
    const dayStart = Date.UTC(2026, 9, 24, 23);
    const r = exportCsv('--from', iso(dayStart), '--to', '2026-10-26T09:00:00Z', '--interval', '1h');
    expect([r.status, r.stderr]).toEqual([0, '27 rows, 2 meters, 2 incomplete\n']);
    const hours = Array.from({ length: 25 }, (_, h) => {
      // Hour h holds windows k = 4h … 4h + 3: 4 × 1000 + 16h + 6 mWh, max power 100.5 + 4h + 3.
      const mwh = h === 12 ? '123456789012348826' : String(4006 + 16 * h); // 4198 − 1050 + 123456789012345678
      const wh =
        h === 12
          ? '123456789012348.826'
          : `${Math.floor((4006 + 16 * h) / 1000)}.${String((4006 + 16 * h) % 1000).padStart(3, '0')}`;
      const start = dayStart + h * HOUR;
      return `m-lon,${iso(start)},${iso(start + HOUR)},Europe/London,${wh},${mwh},12,${103.5 + 4 * h},${h === 12 ? 1 : 0},true,0`;
    });
    expect(hours[0]).toBe(
      'm-lon,2026-10-24T23:00:00.000Z,2026-10-25T00:00:00.000Z,Europe/London,4.006,4006,12,103.5,0,true,0',
    );
    expect(hours[24]).toBe(
      'm-lon,2026-10-25T23:00:00.000Z,2026-10-26T00:00:00.000Z,Europe/London,4.390,4390,12,199.5,0,true,0',
    );
    expect(r.stdout).toBe(
      csv(
        ...hours,
        'm-lon,2026-10-26T08:00:00.000Z,2026-10-26T09:00:00.000Z,Europe/London,1.000,1000,6,42,0,false,0',
        'm-utc,2026-10-25T10:00:00.000Z,2026-10-25T11:00:00.000Z,UTC,1.000,1000,4,,0,false,3',
      ),
    );
    const dstDay = r.stdout.split('\r\n').slice(1, 26);
    expect(dstDay.reduce((sum, line) => sum + BigInt(line.split(',')[5]), 0n)).toBe(123456789012449578n);
  });

  it('15m: one meter across the repeated 01:00 hour, window by window', () => {
    const r = exportCsv(
      '--meter',
      'm-lon',
      '--from',
      '2026-10-25T00:00:00Z',
      '--to',
      '2026-10-25T02:00:00Z',
      '--interval',
      '15m',
    );
    expect([r.status, r.stderr]).toEqual([0, '8 rows, 1 meters, 0 incomplete\n']);
    expect(r.stdout).toBe(
      csv(
        'm-lon,2026-10-25T00:00:00.000Z,2026-10-25T00:15:00.000Z,,1.004,1004,3,104.5,0,true,0',
        'm-lon,2026-10-25T00:15:00.000Z,2026-10-25T00:30:00.000Z,,1.005,1005,3,105.5,0,true,0',
        'm-lon,2026-10-25T00:30:00.000Z,2026-10-25T00:45:00.000Z,,1.006,1006,3,106.5,0,true,0',
        'm-lon,2026-10-25T00:45:00.000Z,2026-10-25T01:00:00.000Z,,1.007,1007,3,107.5,0,true,0',
        'm-lon,2026-10-25T01:00:00.000Z,2026-10-25T01:15:00.000Z,,1.008,1008,3,108.5,0,true,0',
        'm-lon,2026-10-25T01:15:00.000Z,2026-10-25T01:30:00.000Z,,1.009,1009,3,109.5,0,true,0',
        'm-lon,2026-10-25T01:30:00.000Z,2026-10-25T01:45:00.000Z,,1.010,1010,3,110.5,0,true,0',
        'm-lon,2026-10-25T01:45:00.000Z,2026-10-25T02:00:00.000Z,,1.011,1011,3,111.5,0,true,0',
      ),
    );
  });

  it('15m: every meter of the tenant, the window not final yet marked incomplete, the huge one exact', () => {
    const r = exportCsv('--from', '2026-10-25T10:00:00Z', '--to', '2026-10-25T11:45:00Z', '--interval', '15m');
    expect([r.status, r.stderr]).toEqual([0, '11 rows, 2 meters, 1 incomplete\n']);
    const lines = r.stdout.split('\r\n');
    expect(lines.slice(7, 9)).toEqual([
      'm-lon,2026-10-25T11:30:00.000Z,2026-10-25T11:45:00.000Z,,123456789012345.678,123456789012345678,3,150.5,1,true,0',
      'm-utc,2026-10-25T10:00:00.000Z,2026-10-25T10:15:00.000Z,,0.250,250,1,,0,true,2',
    ]);
    expect(lines[11]).toBe('m-utc,2026-10-25T10:45:00.000Z,2026-10-25T11:00:00.000Z,,0.250,250,1,,0,false,0');
    expect(lines).toHaveLength(13); // header, 11 rows, and the empty string after the last CRLF
  });

  it('--out writes the same CSV to a file and nothing to stdout', () => {
    const out = join(dir, 'days.csv');
    const args = ['--from', '2026-10-25T00:00:00+01:00', '--to', '2026-10-27T00:00:00Z'];
    const r = exportCsv(...args, '--out', out);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '3 rows, 2 meters, 2 incomplete\n']);
    expect(readFileSync(out, 'utf8')).toBe(exportCsv(...args).stdout);
  });

  it("never shows another tenant's rows, and a tenant without rows gets only the header", () => {
    const r = runSwitchboard(
      [
        'billing',
        'export',
        '--tenant',
        uniqueName('nobody'),
        '--from',
        '2026-10-24T00:00:00Z',
        '--to',
        '2026-10-28T00:00:00Z',
      ],
      {},
      60_000,
    );
    expect([r.status, r.stdout, r.stderr]).toEqual([0, csv(), '0 rows, 0 meters, 0 incomplete\n']);
    const mine = exportCsv('--from', '2026-10-24T00:00:00Z', '--to', '2026-10-28T00:00:00Z', '--interval', '1h');
    expect(mine.stdout).not.toMatch(/,0\.007,7,|,0\.028,28,/); // the other tenant's windows (7 mWh) and hours (28)
  });

  const day = ['--from', '2026-10-25T00:00:00Z', '--to', '2026-10-26T00:00:00Z'];
  it.each([
    [
      ['--tenant', "x'; DROP TABLE meter_energy_15m; --", ...day],
      'tenant must be 1–64 characters of A-Z a-z 0-9 . _ : -',
    ],
    [
      ['--tenant', 'acme', '--meter', '../../etc/passwd', ...day],
      'meter id must be 1–64 characters of A-Z a-z 0-9 . _ : -',
    ],
    [
      ['--tenant', 'acme', '--from', 'yesterday', '--to', '2026-10-26T00:00:00Z'],
      'from must be epoch milliseconds or an RFC 3339 date-time such as 2026-10-25T00:00:00Z',
    ],
    [['--tenant', 'acme', ...day, '--interval', '5m'], 'interval must be 15m, 1h or 1d'],
    [['--tenant', 'acme', '--from', '2026-10-26T00:00:00Z', '--to', '2026-10-25T00:00:00Z'], 'from must be before to'],
    [
      ['--tenant', 'acme', '--from', '2026-10-25T00:07:00Z', '--to', '2026-10-26T00:00:00Z', '--interval', '15m'],
      'from must be a whole quarter hour (UTC) for interval 15m; the nearest are 2026-10-25T00:00:00.000Z and 2026-10-25T00:15:00.000Z',
    ],
    [
      ['--tenant', 'acme', '--from', '2026-01-01T00:00:00Z', '--to', '2026-03-01T00:00:00Z', '--interval', '15m'],
      'a 15m request covers at most 32 days, this one 59: split it',
    ],
  ])('refuses %j with one sentence and exit 1', (args, sentence) => {
    const r = runSwitchboard(['billing', 'export', ...args], {}, 60_000);
    expect([r.status, r.stdout, r.stderr]).toEqual([1, '', `switchboard: ${sentence}\n`]);
  });
});

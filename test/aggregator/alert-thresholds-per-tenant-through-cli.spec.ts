import { Pool } from 'pg';
import { AlertSettingsCache } from '../../apps/aggregator/src/pipelines/alerts/alert-settings';
import { testEnv, uniqueName } from '../support/env';
import { runSwitchboard } from '../support/switchboard-cli';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

// An operator sets a tenant's thresholds with `switchboard alerts`; the aggregator's settings cache reads them
// for that tenant only. Hostile input gets one clear sentence and changes nothing.
describe('alert thresholds per tenant through the CLI', () => {
  const pool = new Pool({ connectionString: testEnv.databaseUrl, max: 2 });
  const tenant = uniqueName('t');
  const other = uniqueName('other');
  afterAll(async () => {
    await pool.query('DELETE FROM alert_settings WHERE tenant = ANY($1)', [[tenant, other]]);
    await pool.end();
  });

  const cli = (...args: string[]) => runSwitchboard(['alerts', ...args], {}, 60_000);

  it('sets, shows and resets a threshold, and the aggregator reads it for that tenant only', async () => {
    let r = cli('set', '--tenant', tenant, '--rule', 'queue_service_level_low', '--threshold', '0.9');
    expect([r.status, r.stdout]).toEqual([0, `set queue_service_level_low for tenant ${tenant}\n`]);
    r = cli('set', '--tenant', tenant, '--rule', 'meter_silent', '--disable');
    expect(r.status).toBe(0);

    r = cli('thresholds', '--tenant', tenant);
    expect(r.stdout.trim().split('\n')).toEqual([
      'queue_service_level_low\t0.9 fraction\tenabled\ttenant',
      'queue_longest_wait_high\t120 seconds\tenabled\tdefault',
      'meter_silent\t3600 seconds\tdisabled\ttenant',
      'meter_energy_spike\t3 factor\tenabled\tdefault',
    ]);

    const cache = new AlertSettingsCache(pool, quiet);
    await cache.refresh();
    expect(cache.lookup(tenant, 'queue_service_level_low')).toEqual({ threshold: 0.9, enabled: true });
    expect(cache.lookup(tenant, 'meter_silent')).toEqual({ threshold: 3600, enabled: false });
    expect(cache.lookup(other, 'queue_service_level_low')).toEqual({ threshold: 0.8, enabled: true });

    expect(cli('reset', '--tenant', tenant, '--rule', 'meter_silent').status).toBe(0);
    await cache.refresh();
    expect(cache.lookup(tenant, 'meter_silent')).toEqual({ threshold: 3600, enabled: true });
  }, 60_000);

  it.each([
    [['--rule', 'queue_service_level_low', '--threshold', '1.5'], 'must be between 0 and 1 (fraction); got 1.5'],
    [['--rule', 'meter_silent', '--threshold', 'soon'], 'threshold of meter_silent must be a number'],
    [['--rule', 'meter_energy_spike', '--threshold', '1e309'], 'threshold of meter_energy_spike must be a number'],
    [['--rule', "x'; DROP TABLE alerts; --", '--threshold', '1'], 'unknown rule x'],
    [['--rule', 'meter_silent'], 'give --threshold, --enable or --disable'],
    [['--rule', 'meter_silent', '--enable', '--disable'], '--enable and --disable exclude each other'],
  ])('refuses %j with a sentence and changes nothing', (args, sentence) => {
    const r = cli('set', '--tenant', other, ...args);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(sentence);
    expect(r.stderr).not.toMatch(/\n\s+at /); // never a stack trace
  });

  it('refuses a tenant id outside the id charset', () => {
    const r = cli('thresholds', '--tenant', 'acme corp');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('switchboard: tenant must be 1–64 characters of A-Z a-z 0-9 . _ : -\n');
  });

  it('changed nothing for the tenant the refused commands named', async () => {
    const { rows } = await pool.query('SELECT * FROM alert_settings WHERE tenant = $1', [other]);
    expect(rows).toEqual([]);
  });
});

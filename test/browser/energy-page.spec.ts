import { aggregatorPipelines } from '../../apps/aggregator/src/pipelines';
import { formatEnergy, localDate } from '../../apps/dashboard-gateway/src/page/assets/energy-logic';
import { eventually } from '../support/wait';
import { LoopInProcess } from './support/loop-in-process';
import { waitForText } from './support/wallboard-gateway';

// The energy page in a real (headless, system) Chromium against the real gateway, with readings posted to the real
// ingest and counted by the real energy pipeline: the sites' charts and today's energy from what Postgres holds
// when the page opens, a restated window marked, new readings moving the chart and the meter's row, the meter's
// drill-down, and what another tenant's token or none shows.
const Q = 15 * 60_000;

describe('energy page in a browser', () => {
  const loop = new LoopInProcess('energy-page');
  const { pool, problems } = loop;
  afterAll(() => loop.close());
  const open = (path: string) => loop.open(path);

  it("shows each site's chart and today's energy, marks a restated window, and moves with posted readings", async () => {
    const ingest = await loop.startIngest();
    const { tenant, key } = await loop.newTenant();
    const other = (await loop.newTenant()).tenant;
    await pool.query(
      `INSERT INTO meters (tenant, meter_id, name, site, timezone) VALUES
         ($1, 'hq-main', 'HQ main', 'london-hq', 'Europe/London'),
         ($1, 'hq-lab', 'HQ lab', 'london-hq', 'Europe/London'),
         ($1, 'berlin-1', 'Berlin office', 'berlin', 'Europe/Berlin')`,
      [tenant],
    );
    // Six final quarter hours before the current one for two meters; the oldest of hq-main restated once.
    const current = Math.floor(Date.now() / Q) * Q;
    const seeded: Array<{ meter: string; start: number; mwh: number; revision: number }> = [];
    for (let i = 1; i <= 6; i++) {
      seeded.push({ meter: 'hq-main', start: current - i * Q, mwh: 250_000 * i, revision: i === 6 ? 1 : 0 });
      seeded.push({ meter: 'berlin-1', start: current - i * Q, mwh: 100_000, revision: 0 });
    }
    for (const s of seeded)
      await pool.query(
        `INSERT INTO meter_energy_15m (tenant, meter_id, window_start, window_end, energy_mwh, readings, max_power_w,
           is_final, version, revision)
         VALUES ($1, $2, $3, $3::timestamptz + interval '15 minutes', $4, 15, 2000, true, $5, $6)`,
        [tenant, s.meter, new Date(s.start), s.mwh, 1 + s.revision, s.revision],
      );
    await pool.query(
      `INSERT INTO data_quality_events (tenant, kind, entity_type, entity_id, detail)
       VALUES ($1, 'invalid_reading', 'meter', 'hq-main', '{"reason":"negative energy"}')`,
      [tenant],
    );
    // Today is each meter's own local day: what the page must show for London HQ.
    const todayOf = (meter: string, tz: string) =>
      seeded
        .filter((s) => s.meter === meter && localDate(s.start, tz) === localDate(Date.now(), tz))
        .reduce((n, s) => n + s.mwh, 0);
    const hqToday = todayOf('hq-main', 'Europe/London');

    await loop.startPipelines(aggregatorPipelines.slice(0, 1));
    const gw = await loop.startGateway();

    const page = await open(`/energy#token=${gw.token(tenant, 'analyst')}`);
    const theirs = await open(`/energy#token=${gw.token(other, 'analyst')}`);
    await waitForText(page, '#connection', 'Connected');
    const hq = page.locator('article.site[data-site="london-hq"]');
    const hqChart = page.locator('[data-chart="site:london-hq"]');
    await waitForText(page, 'article.site[data-site="london-hq"] [data-field="today"]', formatEnergy(hqToday));
    expect(await hq.locator('.incomplete').textContent()).toBe('incomplete');
    expect(await hq.locator('[data-field="meters"]').textContent()).toBe('2');
    expect(await hqChart.locator('canvas').count()).toBe(1);
    expect(await hqChart.getAttribute('data-final')).toBe('6');
    expect(await hqChart.getAttribute('data-provisional')).toBe('0');
    // The restated window is marked.
    expect(await hqChart.getAttribute('data-restated')).toBe('1');
    expect(await hqChart.getAttribute('data-kwh')).toBe(
      (seeded.filter((s) => s.meter === 'hq-main').reduce((n, s) => n + s.mwh, 0) / 1e6).toFixed(3),
    );
    expect(await page.locator('[data-chart="site:berlin"]').getAttribute('data-final')).toBe('6');
    // hq-lab never reported: it is silent.
    await waitForText(page, '#silent li[data-meter="hq-lab"]', /HQ lab \(london-hq\) — last heard —/);

    // Two readings of hq-main in the current quarter hour through ingest: the first is the meter's baseline for the
    // pipeline, the second's 500 Wh land in the current window, not yet final.
    const t0 = Math.max(current + 1_000, Date.now() - 30_000);
    const res = await ingest.post(
      '/v1/events',
      key,
      JSON.stringify([
        { type: 'meter.reading', ts: new Date(t0).toISOString(), meterId: 'hq-main', energyWh: 10_000, powerW: 1800 },
        {
          type: 'meter.reading',
          ts: new Date(t0 + 1000).toISOString(),
          meterId: 'hq-main',
          energyWh: 10_500,
          powerW: 2400,
        },
      ]),
    );
    expect(res.status).toBe(202);
    await eventually(async () => expect(await hqChart.getAttribute('data-provisional')).toBe('1'), 30_000, 200);
    expect(await hqChart.getAttribute('data-final')).toBe('6');
    const row = page.locator('#top-rows tr[data-meter="hq-main"]');
    const todayNow =
      localDate(t0, 'Europe/London') === localDate(Date.now(), 'Europe/London') ? hqToday + 500_000 : hqToday;
    await waitForText(page, '#top-rows tr[data-meter="hq-main"] [data-field="today"]', formatEnergy(todayNow));
    expect(await row.locator('[data-field="power-now"]').textContent()).toBe('2.4 kW');
    await waitForText(page, 'article.site[data-site="london-hq"] [data-field="today"]', formatEnergy(todayNow));

    // The drill-down: the meter's windows with their states, and its data-quality event.
    await row.click();
    await waitForText(page, '#meter-heading', 'HQ main — london-hq');
    expect(await page.locator('#overview').isHidden()).toBe(true);
    await eventually(async () => expect(await page.locator('#window-rows tr').count()).toBe(7), 10_000);
    expect(await page.locator('#window-rows tr[data-state="restated"] [data-field="state"]').textContent()).toBe(
      'restated ×1',
    );
    expect(await page.locator('#window-rows tr[data-state="provisional"] [data-field="energy"]').textContent()).toBe(
      '500 Wh',
    );
    expect(await page.locator('[data-chart="meter"]').getAttribute('data-restated')).toBe('1');
    await waitForText(page, '#quality li[data-kind="invalid_reading"]', /invalid reading: negative energy/);
    await page.click('#meter-back');
    await eventually(async () => expect(await page.locator('#overview').isVisible()).toBe(true), 5_000);

    // Another tenant's page, connected all along, never showed any of this tenant's meters.
    await waitForText(theirs, '#connection', 'Connected');
    expect(await theirs.locator('article.site').count()).toBe(0);
    expect(await theirs.locator('tr[data-meter]').count()).toBe(0);
    expect(await theirs.locator('#no-sites').isVisible()).toBe(true);
    expect(problems).toEqual([]);
  }, 90_000);

  it('explains a missing token', async () => {
    const none = await open('/energy');
    await waitForText(none, '#message', /No dashboard token.*bin\/switchboard tokens create --tenant T --role analyst/);
    expect(await none.locator('#connection').textContent()).toBe('Not connected');
    expect(problems).toEqual([]);
  }, 15_000);
});

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { alertUpdate, METRIC_UPDATE_MODEL, type MetricUpdate, queueStatsUpdate } from '@switchboard/domain';
import { Kafka, logLevel } from 'kafkajs';
import type { Browser, Page } from 'playwright-core';
import { queueGaugeUpdate } from '../../apps/aggregator/src/pipelines/calls/queue-stage/queue-updates';
import { PAGE_CSP } from '../../apps/dashboard-gateway/src/page/page.controller';
import type { RunningGateway } from '../gateway/support/gateway-app';
import { newTenant, startGateway } from '../gateway/support/gateway-app';
import { testEnv, uniqueName } from '../support/env';
import { eventually } from '../support/wait';
import { launchChromium, openPage, waitForText } from './support/wallboard-gateway';

// The supervisor's wallboard in a real (headless, system) Chromium against the real gateway in-process: the
// numbers Postgres holds when the gateway starts, then live updates from the namespaced topics, tenant isolation,
// and what a missing or invalid token shows.
describe('wallboard page in a browser', () => {
  const namespace = uniqueName('wallboard');
  const kafka = new Kafka({ brokers: testEnv.brokers, clientId: uniqueName('wallboard'), logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  let gw: RunningGateway | undefined;
  let browser: Browser | undefined;
  const tenants: string[] = [];
  const consoleProblems: string[] = [];

  afterAll(async () => {
    await browser?.close();
    if (gw && tenants.length > 0) {
      for (const table of ['queue_stats_1m', 'agent_status', 'alert_settings', 'tenants'])
        await gw.pool.query(`DELETE FROM ${table} WHERE tenant = ANY($1)`, [tenants]);
    }
    await producer.disconnect().catch(() => undefined);
    await gw?.close();
  });

  async function open(path: string): Promise<Page> {
    if (!browser || !gw) throw new Error('not started');
    return openPage(browser, `${gw.url}${path}`, consoleProblems);
  }

  const cell = (page: Page, queue: string, field: string) =>
    page.locator(`[data-queue="${queue}"] [data-field="${field}"]`);

  type Window = { location: { href: string }; sessionStorage: { getItem(key: string): string | null } };
  const href = (page: Page) => page.evaluate(() => (globalThis as unknown as Window).location.href);
  const storedToken = (page: Page) =>
    page.evaluate(() => (globalThis as unknown as Window).sessionStorage.getItem('switchboard.dashboardToken'));

  it('shows the seeded figures, then live gauge and alert updates, to its own tenant only', async () => {
    browser = await launchChromium();
    // Committed before the gateway starts: its snapshot comes from Postgres.
    const seedPool = (await import('pg')).Pool;
    const pool = new seedPool({ connectionString: testEnv.databaseUrl, max: 1 });
    const tenant = await newTenant(pool);
    const other = await newTenant(pool);
    tenants.push(tenant, other);
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    const insert = (startMs: number, cols: Record<string, number>) =>
      pool.query(
        `INSERT INTO queue_stats_1m (tenant, queue, window_start, window_end, ${Object.keys(cols).join(', ')})
         VALUES ($1, 'sales', $2, $2::timestamptz + interval '1 minute', ${Object.keys(cols)
           .map((_, i) => `$${i + 3}`)
           .join(', ')})`,
        [tenant, new Date(startMs), ...Object.values(cols)],
      );
    await insert(minute - 5 * 60_000, {
      offered: 10,
      answered: 8,
      abandoned: 2,
      answered_in_sla: 6,
      abandoned_short: 1,
      answered_wait_ms_sum: 80_000,
    });
    await insert(minute - 3 * 60_000, { offered: 2, answered: 1, answered_in_sla: 0, answered_wait_ms_sum: 70_000 });
    // In the channel's hour but older than 15 minutes: not part of the wallboard's figures.
    await insert(minute - 30 * 60_000, { offered: 100, answered: 100, answered_in_sla: 100 });
    for (const [agent, status] of [
      ['a1', 'available'],
      ['a2', 'busy'],
      ['a3', 'busy'],
    ])
      await pool.query(`INSERT INTO agent_status (tenant, agent_id, status, since) VALUES ($1, $2, $3, now())`, [
        tenant,
        agent,
        status,
      ]);
    // The tenant's own threshold: its tiles turn amber below 50 % (the default would be 80 %).
    await pool.query(
      `INSERT INTO alert_settings (tenant, rule, threshold) VALUES ($1, 'queue_service_level_low', 0.5)`,
      [tenant],
    );
    await pool.end();

    gw = await startGateway({ SWITCHBOARD_TOPIC_NAMESPACE: namespace });
    const token = gw.token(tenant, 'supervisor');

    const mine = await open(`/#token=${token}`);
    const theirs = await open(`/#token=${gw.token(other, 'supervisor')}`);

    // The token left the address bar (and history) at once; it is kept for this tab only.
    expect(mine.url()).toBe(`${gw.url}/`);
    expect(await href(mine)).not.toContain('token');
    expect(await storedToken(mine)).toBe(token);

    await waitForText(mine, '#connection', 'Connected');
    await waitForText(mine, '[data-queue="sales"] [data-field="offered"]', '12');
    expect(await cell(mine, 'sales', 'answered').textContent()).toBe('9');
    expect(await cell(mine, 'sales', 'abandoned').textContent()).toBe('2');
    // Σ answered_in_sla / (Σ answered + Σ abandoned − Σ abandoned_short) = 6 / 10; ASA 150 s / 9; 2 / 12 abandoned.
    expect(await cell(mine, 'sales', 'service-level').textContent()).toBe('60 %');
    expect(await cell(mine, 'sales', 'asa').textContent()).toBe('17 s');
    expect(await cell(mine, 'sales', 'abandon-rate').textContent()).toBe('17 %');
    expect(await cell(mine, 'sales', 'waiting').textContent()).toBe('0');
    await waitForText(mine, 'tr[data-status="busy"] td', '2');
    expect(await mine.locator('tr[data-status="available"] td').textContent()).toBe('1');

    // The aggregator's next gauge change and a new alert, as its relays publish them.
    const gauge: MetricUpdate = queueGaugeUpdate(tenant, 'sales', 1, {
      waiting: 4,
      longestWaitingSince: Date.now() - 75_000,
    });
    const firedAt = Date.now();
    const alert: MetricUpdate = alertUpdate({
      tenant,
      rule: 'queue_longest_wait_high',
      entityType: 'queue',
      entityId: 'sales',
      severity: 'critical',
      firing: true,
      message: 'longest wait 75 s > 30 s',
      value: 75,
      threshold: 30,
      details: {},
      firedAt,
      resolvedAt: null,
      version: 1,
    });
    await producer.connect();
    const send = (topic: string, u: MetricUpdate) =>
      producer.send({
        topic: `${namespace}.${topic}`,
        messages: [{ key: u.id, value: JSON.stringify(u), headers: { 'sb-model': METRIC_UPDATE_MODEL } }],
      });
    await send('metrics.updates', gauge);
    await send('alerts', alert);

    await waitForText(mine, '[data-queue="sales"] [data-field="waiting"]', '4');
    await waitForText(mine, '[data-queue="sales"] [data-field="longest-wait"]', /^1:[1-3]\d$/);
    const first = await cell(mine, 'sales', 'longest-wait').textContent();
    // It ticks every second without any new message.
    await eventually(
      async () => expect(await cell(mine, 'sales', 'longest-wait').textContent()).not.toBe(first),
      3_000,
    );
    await waitForText(mine, '#alerts li[data-severity="critical"]', /critical.*longest wait high.*queue sales/);
    expect(await mine.locator('#alerts').getAttribute('aria-live')).toBe('polite');

    // An older version of the gauge arriving later never replaces the newer one.
    await send('metrics.updates', queueGaugeUpdate(tenant, 'sales', 2, { waiting: 6, longestWaitingSince: null }));
    await send('metrics.updates', queueGaugeUpdate(tenant, 'sales', 1, { waiting: 1, longestWaitingSince: null }));
    await waitForText(mine, '[data-queue="sales"] [data-field="waiting"]', '6');
    await mine.waitForTimeout(500);
    expect(await cell(mine, 'sales', 'waiting').textContent()).toBe('6');

    // 60 % is above the tenant's 50 %: the tile is not coloured; its chart holds the hour's three minutes.
    const tile = mine.locator('.tile[data-queue="sales"]');
    const chart = mine.locator('[data-chart="queue:sales"]');
    expect(await tile.getAttribute('data-level')).toBe('ok');
    expect(await chart.getAttribute('data-windows')).toBe('3');
    expect(await chart.locator('canvas').count()).toBe(1);
    // The current minute's window, as the aggregator publishes it: five calls abandoned after waiting.
    await send(
      'metrics.updates',
      queueStatsUpdate({
        tenant,
        queue: 'sales',
        windowStart: minute,
        windowEnd: minute + 60_000,
        sums: {
          offered: 5,
          answered: 0,
          abandoned: 5,
          answeredInSla: 0,
          abandonedShort: 0,
          answeredWaitMsSum: 0,
          waitMsSum: 150_000,
          maxWaitMs: 40_000,
          talkMsSum: 0,
          talkCount: 0,
        },
        isFinal: false,
        version: 1,
        revision: 0,
      }),
    );
    // 6 / (9 + 7 − 1) = 40 %: below 50 %, not below half of it — amber, and the chart gained the minute.
    await waitForText(mine, '[data-queue="sales"] [data-field="service-level"]', '40 %');
    await eventually(async () => expect(await tile.getAttribute('data-level')).toBe('amber'), 5_000);
    expect(await tile.locator('[data-field="why"]').textContent()).toBe('service level below 50 %');
    await eventually(async () => expect(await chart.getAttribute('data-windows')).toBe('4'), 3_000);

    // A wall screen: eight queues fit 1920×1080 without scrolling.
    await mine.setViewportSize({ width: 1920, height: 1080 });
    for (const q of ['billing', 'moving', 'outage', 'retention', 'smart-meters', 'support', 'technical'])
      await send(
        'metrics.updates',
        queueGaugeUpdate(tenant, q, 1, { waiting: 1, longestWaitingSince: Date.now() - 20_000 }),
      );
    await eventually(async () => expect(await mine.locator('#tiles .tile').count()).toBe(8), 5_000);
    type Doc = { document: { documentElement: { scrollHeight: number; scrollWidth: number } }; innerHeight: number };
    const fits = await mine.evaluate(() => {
      const w = globalThis as unknown as Doc;
      return {
        height: w.document.documentElement.scrollHeight,
        width: w.document.documentElement.scrollWidth,
        inner: w.innerHeight,
      };
    });
    expect(fits.height).toBeLessThanOrEqual(fits.inner);
    expect(fits.width).toBeLessThanOrEqual(1920);

    // The other tenant's wallboard, connected all along, got none of it.
    await waitForText(theirs, '#connection', 'Connected');
    expect(await theirs.locator('#tiles .tile').count()).toBe(0);
    expect(await theirs.locator('#alerts li').count()).toBe(0);
    expect(await theirs.locator('#no-queues').isVisible()).toBe(true);

    // Strict CSP, and the page needed nothing it forbids.
    const res = await fetch(`${gw.url}/`);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect((await fetch(`${gw.url}/wallboard/wallboard.js`)).headers.get('content-type')).toBe(
      'text/javascript; charset=utf-8',
    );
    expect((await fetch(`${gw.url}/wallboard/..%2Fpage.module.ts`)).status).toBe(404);
    // The page's derived metrics are the domain's own file, served as it is (one source of the formulas).
    const shared = await fetch(`${gw.url}/wallboard/derived-metrics.js`);
    expect(shared.headers.get('content-security-policy')).toBe(PAGE_CSP);
    expect(await shared.text()).toBe(
      readFileSync(resolve(__dirname, '../../libs/domain/src/derived-metrics.js'), 'utf8'),
    );
    expect(consoleProblems).toEqual([]);
  }, 30_000);

  it('explains a missing or invalid token', async () => {
    if (!gw) throw new Error('the first test did not start the gateway');
    const none = await open('/');
    await waitForText(none, '#message', /No dashboard token.*bin\/switchboard tokens create --tenant T/);

    const invalid = await open('/#token=sbt_not-a-real-token');
    await waitForText(invalid, '#message', /not valid.*bin\/switchboard tokens create --tenant T/);
    expect(await href(invalid)).not.toContain('sbt_');
    expect(await storedToken(invalid)).toBeNull();
    expect(await invalid.locator('#connection').textContent()).toBe('Not connected');
  }, 15_000);
});

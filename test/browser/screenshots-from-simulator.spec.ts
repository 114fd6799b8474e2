import type { Page } from 'playwright-core';
import { DEMO_SCENARIO, DEMO_SIMULATION } from '../../apps/cli/src/simulate/demo';
import { simulationProperties } from '../../apps/cli/src/simulate/generator';
import { runSimulation } from '../../apps/cli/src/simulate/run-simulation';
import { IngestSender } from '../../apps/cli/src/simulate/sender';
import { eventually } from '../support/wait';
import { LoopInProcess } from './support/loop-in-process';
import { waitForText } from './support/wallboard-gateway';

// The README's screenshots, from simulator traffic through the whole loop: `switchboard simulate --profile demo`'s
// generator (seed 7, its last hour up to now, with 11 hours of meter readings before) sent through the real
// ingest, counted by every aggregator pipeline (calls, agents, energy, alert rules) and served by the real gateway;
// each page is photographed once its figures stopped moving. What it asserts is what makes the picture worth
// taking: every queue's tile with its hour's chart, agents by status, every site with final windows in its chart.
const HOUR = 3600_000;
const MINUTE = 60_000;

describe('README screenshots from a simulator run', () => {
  const loop = new LoopInProcess('screens');
  afterAll(() => loop.close());

  /** Waits until `read` gives the same answer twice, `everyMs` apart: the page has drawn what the loop delivered. */
  async function settled(read: () => Promise<string>, everyMs = 2_000, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = await read();
    for (;;) {
      await new Promise((r) => setTimeout(r, everyMs));
      const now = await read();
      if (now === last) return now;
      if (Date.now() > deadline) throw new Error(`the page kept changing for ${timeoutMs} ms (last: ${now})`);
      last = now;
    }
  }

  /** The attribute `name` of each element, space-separated: what `settled` compares. */
  const attributes = (page: Page, selectors: string[], name: string) => () =>
    Promise.all(selectors.map((sel) => page.locator(sel).getAttribute(name))).then((values) => values.join(' '));

  /** Waits until the page shows `count` elements at `selector`. */
  const showsAll = (page: Page, selector: string, count: number) =>
    eventually(async () => expect(await page.locator(selector).count()).toBe(count), 60_000, 500);

  it('photographs the wallboard and the energy page after an hour of the demo simulation', async () => {
    const ingest = await loop.startIngest({ INGEST_RATE_LIMIT: '1000000' });
    const { tenant, key } = await loop.newTenant();
    await loop.startPipelines();
    const gw = await loop.startGateway();

    // The demo's last hour of calls; its meters' readings backfilled over the 11 hours before (half the energy
    // page's 24 h chart).
    const simulation = {
      ...DEMO_SIMULATION,
      demo: { ...DEMO_SCENARIO, backfillMs: 11 * HOUR },
      seed: 7,
      start: Math.floor(Date.now() / MINUTE) * MINUTE - HOUR,
      durationMs: HOUR,
    };
    const sender = new IngestSender({ url: ingest.url, key, retries: 5 });
    const { emitted } = await runSimulation({
      simulation,
      speed: Number.POSITIVE_INFINITY,
      batchSize: 1000,
      sender,
      progress: false,
    });
    expect(sender.stats.accepted).toBe(emitted);
    const { queues, meters } = simulationProperties(simulation);
    const sites = [...new Set(meters.map((m) => m.site))];

    // The wallboard: a tile per queue, each chart with minutes of the hour, agents by status.
    const wallboard = await loop.open(`/#token=${gw.token(tenant, 'supervisor')}`);
    await waitForText(wallboard, '#connection', 'Connected');
    await showsAll(wallboard, '#tiles .tile', queues.length);
    const windowsPerTile = await settled(
      attributes(
        wallboard,
        queues.map((q) => `[data-chart="queue:${q.queue}"]`),
        'data-windows',
      ),
    );
    for (const windows of windowsPerTile.split(' ')) expect(Number(windows)).toBeGreaterThan(10);
    expect(await wallboard.locator('#agent-rows tr').count()).toBeGreaterThan(0);
    await wallboard.screenshot({ path: 'docs/screenshots/wallboard.png' });

    // The energy page: every site with its 15-minute windows, final ones among them, and the top meters.
    const energy = await loop.open(`/energy#token=${gw.token(tenant, 'analyst')}`);
    await waitForText(energy, '#connection', 'Connected');
    await showsAll(energy, '#sites article.site', sites.length);
    const finalPerSite = await settled(
      attributes(
        energy,
        sites.map((site) => `[data-chart="site:${site}"]`),
        'data-final',
      ),
    );
    for (const final of finalPerSite.split(' ')) expect(Number(final)).toBeGreaterThanOrEqual(40);
    expect(await energy.locator('#top-rows tr').count()).toBeGreaterThan(0);
    await energy.screenshot({ path: 'docs/screenshots/energy.png' });

    expect(loop.problems).toEqual([]);
  }, 240_000);
});

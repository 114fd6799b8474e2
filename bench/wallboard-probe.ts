import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../test/browser/support/wallboard-gateway';
import type { UpdateFeed } from './update-feed';

/** The slice of the page's DOM the probe touches (this project compiles without DOM types). */
interface DomElement {
  getAttribute(name: string): string | null;
  querySelector(selector: string): DomElement | null;
  textContent: string | null;
}
interface PageGlobals {
  document: {
    getElementById(id: string): DomElement | null;
    querySelectorAll(selector: string): { length: number; [index: number]: DomElement };
  };
  MutationObserver: new (
    callback: () => void,
  ) => { observe(target: DomElement, options: { childList: boolean; subtree: boolean }): void };
  performance: { timeOrigin: number; now(): number };
  /** [queue, waiting shown, epoch ms] each time a queue's `waiting` cell shows a new value. */
  benchWaitingSeen?: [string, number, number][];
}

export interface WallboardResult {
  /** Updates a second the feed reached (of all its rows, gauges and windows). */
  offeredPerSecond: number;
  /** Gauge updates measured. */
  samples: number;
  /** Updates whose value the page never showed (a newer one came first). */
  conflated: number;
  /** From the produce ack to the value being in the page's DOM, ms (both on the machine's clock: epoch-clock.ts). */
  latencies: number[];
  /** Gauge updates whose value never reached the DOM within the wait. */
  unseen: number;
}

export type WallboardSkip = { skipped: string };

/**
 * The supervisor's wallboard (the gateway's own page, its own socket.io client and render loop) in headless
 * system Chromium. A MutationObserver in the page notes when each queue's `waiting` cell shows a new value;
 * gauges carry waiting = version, so each produced gauge version has a moment it (or a newer one) reached the DOM.
 * Paint is not included: the DOM holds the value, the next frame shows it.
 */
export async function measureWallboard(options: {
  url: string;
  token: string;
  /** A `wallboard` row set: its gauge rows are the page's `waiting` cells. */
  feed: UpdateFeed;
  rate: number;
  seconds: number;
}): Promise<WallboardResult | WallboardSkip> {
  if (!existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM} (apt-get install -y chromium)` };
  const { url, token, feed } = options;
  const gauges = new Map(feed.rows.filter((r) => r.gaugeOf !== undefined).map((r) => [r.gaugeOf as string, r]));
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(`${url}/#token=${token}`);
    await page.locator('#connection', { hasText: 'Connected' }).waitFor({ timeout: 15_000 });
    await page
      .locator('tr[data-queue]')
      .nth(gauges.size - 1)
      .waitFor({ timeout: 15_000 });
    await page.evaluate(() => {
      const w = globalThis as unknown as PageGlobals;
      const seen: [string, number, number][] = [];
      const last = new Map<string, string>();
      w.benchWaitingSeen = seen;
      const note = () => {
        const at = w.performance.timeOrigin + w.performance.now();
        const rows = w.document.querySelectorAll('#queue-rows tr[data-queue]');
        for (let k = 0; k < rows.length; k++) {
          const queue = rows[k].getAttribute('data-queue') ?? '';
          const text = rows[k].querySelector('td[data-field="waiting"]')?.textContent ?? '';
          if (last.get(queue) !== text) {
            last.set(queue, text);
            seen.push([queue, Number(text), at]);
          }
        }
      };
      note();
      const body = w.document.getElementById('queue-rows');
      if (body) new w.MutationObserver(note).observe(body, { childList: true, subtree: true });
    });

    const versionsBefore = new Map([...gauges.values()].map((g) => [g.id, feed.version(feed.indexOf(g.id) ?? -1)]));
    const offered = await feed.run(options.rate, options.seconds);
    const shows = (records: [string, number, number][]) => {
      const shown = new Map<string, number>();
      for (const [queue, value] of records) shown.set(queue, Math.max(shown.get(queue) ?? 0, value));
      return [...gauges].every(([queue, g]) => (shown.get(queue) ?? 0) >= feed.version(feed.indexOf(g.id) ?? -1));
    };
    const read = () => page.evaluate(() => (globalThis as unknown as PageGlobals).benchWaitingSeen ?? []);
    let records = await read();
    const deadline = Date.now() + 10_000;
    while (!shows(records) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      records = await read();
    }

    const result: WallboardResult = {
      offeredPerSecond: offered.perSecond,
      samples: 0,
      conflated: 0,
      latencies: [],
      unseen: 0,
    };
    for (const [queue, g] of gauges) {
      const i = feed.indexOf(g.id);
      if (i === undefined) continue;
      const mine = records.filter((r) => r[0] === queue);
      const exact = new Set(mine.map((r) => r[1]));
      for (let v = (versionsBefore.get(g.id) ?? 0) + 1; v <= feed.version(i); v++) {
        const ack = feed.ackedAt(i, v);
        const shownAt = mine.find((r) => r[1] >= v)?.[2];
        if (ack === undefined || shownAt === undefined) {
          result.unseen++;
          continue;
        }
        result.samples++;
        if (!exact.has(v)) result.conflated++;
        result.latencies.push(shownAt - ack);
      }
    }
    result.latencies.sort((a, b) => a - b);
    return result;
  } finally {
    await browser?.close();
  }
}

import { existsSync, writeFileSync } from 'node:fs';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../test/browser/support/wallboard-gateway';
import type { FeedRun, UpdateFeed } from './update-feed';

/** A frame longer than this is a stutter a viewer sees (the RAIL budget of a response, 50 ms). */
export const LONG_FRAME_MS = 50;
/** How long the probe waits after the feed for the page to show the last versions produced. */
const SETTLE_MS = 10_000;
/** How long the page's frames are measured with no update coming, before the feed (at most the feed's seconds). */
const IDLE_SECONDS = 5;

/**
 * Where a page shows row versions: the items matching `item` inside `list`, each named by its `key` attribute, its
 * text at `value` (a selector inside the item) saying which version it holds.
 */
export interface DomWatch {
  list: string;
  item: string;
  key: string;
  value: string;
}

/** A page the probe measures: where it is, where it shows its probe rows, and how to read a version off an item. */
export interface ProbedPage {
  /** Its path on the gateway (`/`, `/energy`). */
  path: string;
  watch: DomWatch;
  /** The version an item's text says it holds (0 for a text that says none). */
  versionOf(text: string): number;
}

/** The slice of the page's DOM the probe touches (this project compiles without DOM types). */
interface DomElement {
  getAttribute(name: string): string | null;
  querySelector(selector: string): DomElement | null;
  textContent: string | null;
}
interface PageGlobals {
  document: {
    querySelector(selector: string): DomElement | null;
    querySelectorAll(selector: string): { length: number; [index: number]: DomElement };
  };
  MutationObserver: new (
    callback: () => void,
  ) => { observe(target: DomElement, options: { childList: boolean; subtree: boolean; characterData: boolean }): void };
  performance: { timeOrigin: number; now(): number };
  requestAnimationFrame(callback: (at: number) => void): number;
  /** [key, text, epoch ms] each time an item's value shows a new text. */
  benchSeen?: [string, string, number][];
  /** Gaps between animation frames (ms) since the last reset. */
  benchFrameGaps?: number[];
}

export interface FrameStats {
  /** Animation frames a second the page ran during the feed (60 when it keeps up). */
  perSecond: number;
  /** Frames longer than LONG_FRAME_MS. */
  long: number;
  /** The longest frame, ms. */
  longestMs: number;
  /** The renderer's main thread busy (CDP Performance.getMetrics TaskDuration over the feed's wall time), 0–1. */
  mainThreadBusy: number;
  /** Of the wall time: running script (ScriptDuration), and style and layout (RecalcStyle + Layout), 0–1. */
  script: number;
  styleAndLayout: number;
  /**
   * CPU time of the page's renderer process (all its threads) over the wall time, 1 = one core (CDP
   * SystemInfo.getProcessInfo). The busy figure above is the thread's wall time in tasks, which grows when a crowded
   * machine takes the core away mid-task; this one does not.
   */
  rendererCpu: number;
}

/** The renderer main thread's time so far (CDP Performance.getMetrics), and the renderers' CPU time, seconds. */
export interface MainThreadTimes {
  task: number;
  script: number;
  styleAndLayout: number;
  renderer: number;
}

export interface DomLatency {
  /** Updates measured: produced while the page watched, acknowledged, and shown (that version or a newer one). */
  samples: number;
  /** Of those, shown only as a newer version (the gateway's conflation, or two deltas in one page render). */
  conflated: number;
  /** From the produce ack to the value being in the page's DOM, ms (both on the machine's clock: epoch-clock.ts). */
  latencies: number[];
  /** Updates whose value never reached the DOM within the wait. */
  unseen: number;
}

export interface BrowserRun extends DomLatency {
  /** Updates a second the feed reached (over all its rows). */
  offeredPerSecond: number;
  /** While the feed ran. */
  frames: FrameStats;
  /** The same page just before, with no update coming (IDLE_SECONDS): the machine's share of the long frames. */
  idle: FrameStats;
}

export type BrowserSkip = { skipped: string };

/**
 * One of the gateway's pages (its own socket.io client and render loop) in headless system Chromium at 1920×1080,
 * measured while `feed` runs at `rate` for `seconds`: a MutationObserver notes when each watched item shows a new
 * value, a requestAnimationFrame loop the frames' lengths, CDP the main thread's task time. Each produced version of
 * a probe row (LiveRowSpec.probeKey = the item's key) has a moment it, or a newer one, reached the DOM; `versionOf`
 * reads the version from an item's text. Paint is not included: the DOM holds the value, the next frame shows it.
 * The observer itself runs on the page's main thread (a small part of the busy figure).
 */
export async function probePage(options: {
  page: ProbedPage;
  /** The gateway's origin and a token for the feed's tenant. */
  gatewayUrl: string;
  token: string;
  feed: UpdateFeed;
  rate: number;
  seconds: number;
  /** A file to write the page's CPU profile of the feed's run to (open it in Chrome's DevTools, Performance). */
  profileTo?: string;
}): Promise<BrowserRun | BrowserSkip> {
  if (!existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM} (apt-get install -y chromium)` };
  const { feed } = options;
  const { watch, versionOf } = options.page;
  const probes = new Map<string, number>();
  feed.rows.forEach((r, i) => {
    if (r.probeKey !== undefined) probes.set(r.probeKey, i);
  });
  if (probes.size === 0) throw new Error('probePage: the feed has no probe rows (LiveRowSpec.probeKey)');
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
    await page.goto(`${options.gatewayUrl}${options.page.path}#token=${options.token}`);
    await page.locator('#connection', { hasText: 'Connected' }).waitFor({ timeout: 15_000 });
    // Every row once the page is subscribed (an `energy` channel takes live rows only once it exists).
    await feed.touchAll();
    await page
      .locator(`${watch.list} ${watch.item}`)
      .nth(probes.size - 1)
      .waitFor({ timeout: 15_000 });
    await watchDom(page, watch);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const browserCdp = await browser.newBrowserCDPSession();

    // The same page with no update coming, first: what the machine alone does to its frames.
    const idle = await measureFrames(page, cdp, browserCdp, () =>
      sleep(Math.min(IDLE_SECONDS, options.seconds) * 1000),
    );
    const versionsBefore = new Map([...probes.values()].map((i) => [i, feed.version(i)]));
    if (options.profileTo) await startProfile(cdp);
    let offered: FeedRun | undefined;
    const frames = await measureFrames(page, cdp, browserCdp, async () => {
      offered = await feed.run(options.rate, options.seconds);
    });
    if (options.profileTo) await saveProfile(cdp, options.profileTo);
    if (!offered) throw new Error('probePage: the feed did not run');

    const read = () => page.evaluate(() => (globalThis as unknown as PageGlobals).benchSeen ?? []);
    const shown = (records: [string, string, number][]) => {
      const best = new Map<string, number>();
      for (const [key, text] of records) best.set(key, Math.max(best.get(key) ?? 0, versionOf(text)));
      return best;
    };
    const allShown = (records: [string, string, number][]) => {
      const best = shown(records);
      return [...probes].every(([key, i]) => (best.get(key) ?? 0) >= feed.version(i));
    };
    let records = await read();
    const deadline = Date.now() + SETTLE_MS;
    while (!allShown(records) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      records = await read();
    }
    const seen = records.map(([key, text, at]) => [key, versionOf(text), at] as [string, number, number]);
    return {
      offeredPerSecond: offered.perSecond,
      ...domLatency(feed, probes, versionsBefore, seen),
      frames,
      idle,
    };
  } finally {
    await browser?.close();
  }
}

/**
 * Per produced version of each probe row: the first moment the DOM showed it or a newer one, from its produce ack.
 * `seen`: [key, version shown, epoch ms] in the order the page noted them.
 */
export function domLatency(
  feed: Pick<UpdateFeed, 'version' | 'ackedAt'>,
  probes: ReadonlyMap<string, number>,
  versionsBefore: ReadonlyMap<number, number>,
  seen: readonly [string, number, number][],
): DomLatency {
  const result: DomLatency = { samples: 0, conflated: 0, latencies: [], unseen: 0 };
  for (const [key, i] of probes) {
    const mine = seen.filter((r) => r[0] === key);
    const exact = new Set(mine.map((r) => r[1]));
    for (let v = (versionsBefore.get(i) ?? 0) + 1; v <= feed.version(i); v++) {
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
}

/** Frame figures from the gaps between animation frames (ms) and the main thread's seconds over the run. */
export function frameStats(gaps: readonly number[], spent: MainThreadTimes): FrameStats {
  const wallMs = gaps.reduce((s, g) => s + g, 0);
  const share = (seconds: number) => (wallMs > 0 ? Math.min(1, (seconds * 1000) / wallMs) : 0);
  return {
    perSecond: wallMs > 0 ? Math.round((gaps.length / wallMs) * 10_000) / 10 : 0,
    long: gaps.filter((g) => g > LONG_FRAME_MS).length,
    longestMs: Math.round(gaps.reduce((m, g) => Math.max(m, g), 0)),
    mainThreadBusy: share(spent.task),
    script: share(spent.script),
    styleAndLayout: share(spent.styleAndLayout),
    rendererCpu: wallMs > 0 ? (spent.renderer * 1000) / wallMs : 0,
  };
}

async function mainThreadTimes(cdp: CDPSession, browserCdp: CDPSession): Promise<MainThreadTimes> {
  const { processInfo } = (await browserCdp.send('SystemInfo.getProcessInfo')) as {
    processInfo: { type: string; cpuTime: number }[];
  };
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  const metric = (name: string) => {
    const m = metrics.find((x) => x.name === name);
    if (!m) throw new Error(`Chromium reported no ${name} metric (CDP Performance.getMetrics)`);
    return m.value;
  };
  return {
    task: metric('TaskDuration'),
    script: metric('ScriptDuration'),
    styleAndLayout: metric('RecalcStyleDuration') + metric('LayoutDuration'),
    renderer: processInfo.filter((p) => p.type === 'renderer').reduce((sum, p) => sum + p.cpuTime, 0),
  };
}

/** The page's frames and main-thread time while `during` runs. */
async function measureFrames(
  page: Page,
  cdp: CDPSession,
  browserCdp: CDPSession,
  during: () => Promise<void>,
): Promise<FrameStats> {
  const t0 = await mainThreadTimes(cdp, browserCdp);
  await resetFrames(page);
  await during();
  const t1 = await mainThreadTimes(cdp, browserCdp);
  const gaps = await page.evaluate(() => (globalThis as unknown as PageGlobals).benchFrameGaps ?? []);
  return frameStats(gaps, {
    task: t1.task - t0.task,
    script: t1.script - t0.script,
    styleAndLayout: t1.styleAndLayout - t0.styleAndLayout,
    renderer: t1.renderer - t0.renderer,
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function startProfile(cdp: CDPSession): Promise<void> {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.start');
}

async function saveProfile(cdp: CDPSession, file: string): Promise<void> {
  const { profile } = (await cdp.send('Profiler.stop')) as { profile: unknown };
  writeFileSync(file, JSON.stringify(profile));
}

/** Installs the value observer and the frame loop in the page. */
async function watchDom(page: Page, watch: DomWatch): Promise<void> {
  await page.evaluate((w: DomWatch) => {
    const g = globalThis as unknown as PageGlobals;
    const seen: [string, string, number][] = [];
    const last = new Map<string, string>();
    g.benchSeen = seen;
    const list = g.document.querySelector(w.list);
    const note = () => {
      const at = g.performance.timeOrigin + g.performance.now();
      const items = g.document.querySelectorAll(`${w.list} ${w.item}`);
      for (let k = 0; k < items.length; k++) {
        const key = items[k].getAttribute(w.key) ?? '';
        const text = items[k].querySelector(w.value)?.textContent ?? '';
        if (last.get(key) !== text) {
          last.set(key, text);
          seen.push([key, text, at]);
        }
      }
    };
    note();
    if (list) new g.MutationObserver(note).observe(list, { childList: true, subtree: true, characterData: true });
    g.benchFrameGaps = [];
    let previous: number | undefined;
    const frame = (at: number) => {
      if (previous !== undefined) g.benchFrameGaps?.push(at - previous);
      previous = at;
      g.requestAnimationFrame(frame);
    };
    g.requestAnimationFrame(frame);
  }, watch);
}

async function resetFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    if (g.benchFrameGaps) g.benchFrameGaps.length = 0;
  });
}

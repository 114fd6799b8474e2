import { loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { testEnv, uniqueName } from '../test/support/env';
import { type ProbedPage, probePage } from './browser-probe';
import { DashboardClientFleet } from './dashboard-clients';
import { energyPage, seedMeters } from './energy-probe';
import { epochMs } from './epoch-clock';
import { GatewayProcess } from './gateway-process';
import { type BenchRow, type BenchSuite, cpuMicros, listFromEnv, numberFromEnv, perSecond, round1 } from './harness';
import { meterName, type RowSet } from './live-rows';
import { createNamespaceTopics } from './live-stack';
import { machineCpu, processCpuMicros, processRssMiB } from './proc-stats';
import { UpdateFeed } from './update-feed';
import { wallboardPage } from './wallboard-probe';

const SECONDS = Number(process.env.BENCH_GATEWAY_SECONDS ?? 10);
const CLIENTS = listFromEnv('BENCH_GATEWAY_CLIENTS', [50, 200, 500]);
const RATES = listFromEnv('BENCH_GATEWAY_RATES', [500, 2000]);
/** The contact centre the clients watch: 100 queues (gauge + current window), 100 agents, 10 meters = 310 rows. */
const CENTRE = { queues: 100, agents: 100, meters: 10 };
const CENTRE_ROWS = 2 * CENTRE.queues + CENTRE.agents + CENTRE.meters;
/** Every tenth client also watches one meter. */
const METER_EVERY = 10;
const DRAIN_TIMEOUT_MS = 15_000;
/**
 * The browser rows: the wallboard with 50 queues (gauge + window) and 100 agents, and the energy page with 2,000
 * meters of one tenant over 4 sites (10 of them probes, its top meters), each fed 2,000 updates/s.
 */
const BROWSER = {
  rate: numberFromEnv('BENCH_GATEWAY_BROWSER_RATE', 2000),
  seconds: numberFromEnv('BENCH_GATEWAY_BROWSER_SECONDS', 20),
  queues: numberFromEnv('BENCH_GATEWAY_WALLBOARD_QUEUES', 50),
  agents: numberFromEnv('BENCH_GATEWAY_WALLBOARD_AGENTS', 100),
  meters: numberFromEnv('BENCH_GATEWAY_ENERGY_METERS', 2000),
  sites: numberFromEnv('BENCH_GATEWAY_ENERGY_SITES', 4),
  probes: 10,
  /** A folder for the pages' CPU profiles (`<page>.cpuprofile`), when set. */
  profiles: process.env.BENCH_GATEWAY_BROWSER_PROFILES,
};
/** Which parts run: the socket.io fan-out rows (`clients`) and the Chromium rows (`browser`). */
const PARTS = partsFromEnv(process.env.BENCH_GATEWAY_PARTS);

function partsFromEnv(text: string | undefined): { clients: boolean; browser: boolean } {
  const parts = (text ?? 'clients,browser').split(',').map((p) => p.trim());
  const unknown = parts.filter((p) => p !== 'clients' && p !== 'browser');
  if (unknown.length > 0 || parts.length === 0)
    throw new Error(`BENCH_GATEWAY_PARTS must be "clients", "browser" or both (comma-separated), not "${text}"`);
  return { clients: parts.includes('clients'), browser: parts.includes('browser') };
}

/**
 * The dashboard gateway's live fan-out, end to end on the real broker and Postgres: the real gateway app as a
 * child process (its own topic namespace), a fresh tenant, N socket.io clients in this process subscribed to
 * `queues` (every tenth also to a `meter:<id>`), and metric updates produced into `<namespace>.metrics.updates`
 * as the aggregator's outbox relay writes them, at a steady rate over 310 rows, from a worker thread (so a busy
 * client loop does not delay the ack's timestamp). An update's latency runs from its produce ack to a client
 * holding that version or a newer one, per (update, subscribed client), on the machine's clock (epoch-clock.ts).
 * Gateway CPU and RSS from /proc; "bench cpu" is this process (clients and producer): near 100 %, or with the
 * machine near 100 % busy, the 2 shared cores set the pace, not the gateway alone. The last rows do the same for
 * the wallboard and the energy page in headless Chromium, to the value being in the page's DOM, with the page's
 * frames and main-thread time (browser-probe.ts).
 */
export function gatewaySuite(): BenchSuite {
  return {
    name: 'gateway',
    description: `the gateway's live fan-out (child process): ${PARTS.clients ? `${CLIENTS.join('/')} socket.io clients × ${RATES.join('/')} updates/s over ${CENTRE_ROWS} rows, ${SECONDS} s each; produce ack → client` : ''}${PARTS.clients && PARTS.browser ? '; ' : ''}${PARTS.browser ? `Chromium wallboard (${BROWSER.queues} queues) and energy page (${BROWSER.meters} meters) at ${BROWSER.rate} updates/s, ${BROWSER.seconds} s each; produce ack → DOM, frames, main thread` : ''}`,
    run,
  };
}

async function run(log: (line: string) => void): Promise<BenchRow[]> {
  const namespace = uniqueName('bench-gw');
  const tenant = uniqueName('bench-gw');
  const gateway = new GatewayProcess(namespace);
  const kafka = new Kafka({ ...testEnv.kafkajs, clientId: 'bench-gateway', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const pool = new Pool({ connectionString: testEnv.databaseUrl, max: 2 });
  const rows: BenchRow[] = [];
  const feeds: UpdateFeed[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  try {
    await admin.connect();
    const spawnedAt = performance.now();
    await createNamespaceTopics(admin, namespace);
    await gateway.start();
    log(
      `namespace ${namespace}, tenant ${tenant}; gateway pid ${gateway.pid} ready in ${((performance.now() - spawnedAt) / 1000).toFixed(1)} s, RSS ${processRssMiB(gateway.pid).now} MiB`,
    );
    if (PARTS.clients) {
      const centre: RowSet = { kind: 'contact-centre', tenant, ...CENTRE, now: Date.now() };
      feeds.push(new UpdateFeed(centre, namespace, testEnv.brokers, 2024));
      rows.push(...(await clientRows(gateway, feeds[0], tenant, log)));
    }
    if (PARTS.browser) {
      const wallboard: RowSet = {
        kind: 'wallboard',
        tenant: uniqueName('bench-wall'),
        queues: BROWSER.queues,
        agents: BROWSER.agents,
        now: Date.now(),
      };
      const energy: RowSet = {
        kind: 'energy',
        tenant: uniqueName('bench-energy'),
        meters: BROWSER.meters,
        probes: Math.min(BROWSER.probes, BROWSER.meters),
        now: Date.now(),
      };
      const wallFeed = new UpdateFeed(wallboard, namespace, testEnv.brokers, 77);
      const energyFeed = new UpdateFeed(energy, namespace, testEnv.brokers, 78);
      feeds.push(wallFeed, energyFeed);
      const meterIds = Array.from({ length: BROWSER.meters }, (_, m) => meterName(m));
      cleanups.push(await seedMeters(pool, energy.tenant, meterIds, BROWSER.sites));
      rows.push(
        await browserRow(
          `Chromium wallboard (${BROWSER.queues} queues, ${BROWSER.agents} agents)`,
          wallboardPage,
          gateway,
          wallFeed,
          wallboard.tenant,
          log,
        ),
        await browserRow(
          `Chromium energy page (${BROWSER.meters.toLocaleString('en')} meters, ${BROWSER.sites} sites)`,
          energyPage,
          gateway,
          energyFeed,
          energy.tenant,
          log,
        ),
      );
    }
    const peak = processRssMiB(gateway.pid).peak;
    log(
      `gateway peak RSS ${peak} MiB; ${gateway.log.length} log lines at warn and above${gateway.log.length > 0 ? `, last: ${gateway.log.at(-1)}` : ''}`,
    );
  } finally {
    await gateway.stop();
    await Promise.all(feeds.map((f) => f.close()));
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    await pool.end();
    const topics = (await admin.listTopics().catch(() => [] as string[])).filter((t) => t.startsWith(`${namespace}.`));
    if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
  return rows;
}

/** The socket.io fan-out rows: each client count × each rate, over the contact centre's rows. */
async function clientRows(
  gateway: GatewayProcess,
  feed: UpdateFeed,
  tenant: string,
  log: (line: string) => void,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  await feed.touchAll();
  // Queues and meter channels: the analyst role reads both. A token per client, as each dashboard has its own link
  // (the gateway allows 20 sockets a token, 500 a tenant).
  const tokens = Array.from({ length: Math.max(...CLIENTS) }, (_, c) => gateway.token(tenant, 'analyst', 3600 + c));
  const channelsFor = (c: number) =>
    c % METER_EVERY === 0 ? ['queues', `meter:${meterName((c / METER_EVERY) % CENTRE.meters)}`] : ['queues'];
  for (const clients of CLIENTS) {
    for (const rate of RATES) {
      const fleet = new DashboardClientFleet(feed);
      try {
        const connectAt = performance.now();
        await fleet.connect(gateway.url, (c) => tokens[c], clients, channelsFor);
        await feed.touchAll();
        if ((await fleet.waitCaughtUp(DRAIN_TIMEOUT_MS)) === undefined)
          throw new Error(`${clients} clients did not get every row (${fleet.lagging()} rows behind)`);
        const connectS = (performance.now() - connectAt) / 1000;
        const gw0 = processCpuMicros(gateway.pid);
        const bench0 = cpuMicros();
        const machine0 = machineCpu();
        const loop = monitorEventLoopDelay({ resolution: 10 });
        loop.enable();
        const elu0 = performance.eventLoopUtilization();
        const start = epochMs();
        fleet.startMeasuring();
        const offered = await feed.run(rate, SECONDS);
        const caughtUpAt = await fleet.waitCaughtUp(DRAIN_TIMEOUT_MS);
        const lagging = caughtUpAt === undefined ? fleet.lagging() : 0;
        const end = caughtUpAt ?? epochMs();
        const stats = fleet.stopMeasuring();
        const gwCpu = processCpuMicros(gateway.pid) - gw0;
        const benchCpu = cpuMicros() - bench0;
        const machineBusy = machineCpu().busyFraction(machine0);
        const elu = performance.eventLoopUtilization(elu0).utilization;
        loop.disable();
        const wallMs = end - start;
        const pairs = stats.latency.count;
        rows.push({
          clients,
          'updates/s offered': offered.perSecond,
          'rows delivered/s': perSecond(stats.rowsDelivered, wallMs),
          'delta frames/s': perSecond(stats.deltaFrames, wallMs),
          'p50 ms': round1(stats.latency.quantile(0.5)),
          'p99 ms': round1(stats.latency.quantile(0.99)),
          'max ms': round1(stats.latency.max),
          'conflated %': round1((stats.conflated / Math.max(1, pairs)) * 100),
          'gw cpu %': Math.round((gwCpu / 1000 / wallMs) * 100),
          'gw cpu µs / row delivered': round1(gwCpu / Math.max(1, stats.rowsDelivered)),
          'gw rss MiB': processRssMiB(gateway.pid).now,
          'bench cpu %': Math.round((benchCpu / 1000 / wallMs) * 100),
          'machine busy %': Math.round(machineBusy * 100),
          'load avg': Number(loadavg()[0].toFixed(2)),
        });
        log(
          `${clients} clients @ ${rate}/s: connected + snapshots in ${connectS.toFixed(1)} s; ${offered.produced} updates in ${offered.sends} sends (longest ${Math.round(offered.maxSendMs)} ms); bench event loop ${Math.round(elu * 100)} % busy, delay p99 ${Math.round(loop.percentile(99) / 1e6)} ms; ${pairs.toLocaleString()} (update, client) samples, ${stats.snapshotFrames} snapshots while measuring, ${stats.beforeAck} seen before their ack${caughtUpAt === undefined ? `; NOT caught up after ${DRAIN_TIMEOUT_MS} ms (${lagging} rows behind)` : ''}${stats.errors.length > 0 ? `; errors: ${[...new Set(stats.errors.map((e) => e.code))].join(', ')}` : ''}`,
        );
      } finally {
        fleet.close();
      }
      if (!gateway.running) throw new Error(`the gateway exited: ${gateway.log.slice(-20).join('\n')}`);
      await new Promise((r) => setTimeout(r, 500)); // the gateway drops the closed sockets
    }
  }
  return rows;
}

/**
 * A Chromium row: the page fed at BROWSER.rate for BROWSER.seconds, or a row saying why it was skipped (a browser
 * problem never fails the suite).
 */
async function browserRow(
  label: string,
  page: ProbedPage,
  gateway: GatewayProcess,
  feed: UpdateFeed,
  tenant: string,
  log: (line: string) => void,
): Promise<BenchRow> {
  const clients = label;
  try {
    const result = await probePage({
      page,
      gatewayUrl: gateway.url,
      token: gateway.token(tenant, 'analyst'), // the energy page's channels are the analyst role's
      feed,
      rate: BROWSER.rate,
      seconds: BROWSER.seconds,
      profileTo:
        BROWSER.profiles &&
        join(BROWSER.profiles, `${page.path === '/' ? 'wallboard' : page.path.slice(1)}.cpuprofile`),
    });
    if ('skipped' in result) {
      log(`${label}: skipped: ${result.skipped}`);
      return { clients, skipped: result.skipped };
    }
    const q = (p: number) =>
      result.latencies[Math.min(result.latencies.length - 1, Math.ceil(result.latencies.length * p) - 1)];
    const f = result.frames;
    log(
      `${label}: ${result.samples} probe updates measured to the DOM (${result.conflated} shown only as a newer value, ${result.unseen} never shown); ${f.perSecond} frames/s, ${f.long} longer than 50 ms (longest ${f.longestMs} ms), main thread ${Math.round(f.mainThreadBusy * 100)} % busy (script ${Math.round(f.script * 100)} %, style and layout ${Math.round(f.styleAndLayout * 100)} %), renderer CPU ${Math.round(f.rendererCpu * 100)} % of a core; idle before: ${result.idle.perSecond} frames/s, ${result.idle.long} longer than 50 ms, main thread ${Math.round(result.idle.mainThreadBusy * 100)} % busy`,
    );
    return {
      clients,
      'updates/s offered': result.offeredPerSecond,
      'p50 ms': round1(q(0.5)),
      'p99 ms': round1(q(0.99)),
      'max ms': round1(result.latencies.at(-1) ?? Number.NaN),
      'conflated %': round1((result.conflated / Math.max(1, result.samples)) * 100),
      samples: result.samples,
      'frames/s': f.perSecond,
      'long frames (>50 ms)': f.long,
      'longest frame ms': f.longestMs,
      'main thread busy %': Math.round(f.mainThreadBusy * 100),
      'script %': Math.round(f.script * 100),
      'style + layout %': Math.round(f.styleAndLayout * 100),
      'renderer cpu %': Math.round(f.rendererCpu * 100),
      'idle frames/s': result.idle.perSecond,
      'idle long frames': result.idle.long,
      'idle main thread busy %': Math.round(result.idle.mainThreadBusy * 100),
      'load avg': Number(loadavg()[0].toFixed(2)),
    };
  } catch (err) {
    const reason = `the browser run failed: ${(err as Error).message.split('\n')[0]}`;
    log(`${label}: skipped: ${reason}`);
    return { clients, skipped: reason };
  }
}

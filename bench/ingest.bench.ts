import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DEFAULT_SIMULATION, type SimEvent, simulate } from '../apps/cli/src/simulate/generator';
import { IngestMetrics } from '../apps/ingest/src/metrics/ingest-metrics';
import { type RunningIngest, startIngest } from '../test/ingest/support/ingest-app';
import { type BenchRow, type BenchSuite, cpuMicros, perSecond } from './harness';

const SECONDS = Number(process.env.BENCH_INGEST_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_INGEST_CONNECTIONS ?? 4);
const BATCHES = [1, 100, 1000];
/** Distinct bodies per batch size (the load generator cycles through them). */
const BODY_EVENTS = 20_000;
const DAY = 86_400_000;

/** What the load-generator process reports back for one autocannon run. */
interface CannonResult {
  error: string | null;
  requests: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationS: number;
  p50: number;
  p99: number;
  max: number;
  cpuMicros: number;
}

interface CannonRun {
  url: string;
  key: string;
  bodies: string[];
  connections: number;
  seconds: number;
}

/**
 * autocannon runs in a child process (its programmatic API, driven over IPC), so it neither shares the
 * ingest app's event loop nor counts in the app's CPU figure: "cpu µs/event" is the ingest process alone
 * (HTTP, validation, routing, libs/streams producer). Requests/latency/non-2xx are autocannon's figures;
 * events/s is what the app's own `ingest_events_accepted_total` counter gained (202 = acknowledged by Kafka).
 */
const LOADGEN = `
const autocannon = require('autocannon');
process.once('message', (o) => {
  const cpu0 = process.cpuUsage();
  process.send({ started: true });
  autocannon({
    url: o.url + '/v1/events',
    connections: o.connections,
    duration: o.seconds,
    timeout: 20,
    requests: o.bodies.map((body) => ({
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + o.key },
      body,
    })),
  }, (err, r) => {
    const u = process.cpuUsage(cpu0);
    const out = err ? { error: String(err) } : {
      error: null, requests: r.requests.total, ok2xx: r['2xx'], non2xx: r.non2xx, errors: r.errors,
      timeouts: r.timeouts, durationS: r.duration, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max,
    };
    process.send({ ...out, cpuMicros: u.user + u.system }, () => process.exit(0));
  });
});
`;

/** Runs autocannon in a child process; `onStart` is called when it begins firing (after Node's start-up). */
function cannon(run: CannonRun, onStart: () => void = () => {}): Promise<CannonResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', LOADGEN], {
      cwd: join(__dirname, '..'),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: CannonResult | undefined;
    child.on('message', (m: { started?: boolean } & CannonResult) => {
      if (m.started) onStart();
      else result = m;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (!result) reject(new Error(`load generator exited with ${code} and no result`));
      else if (result.error) reject(new Error(`autocannon: ${result.error}`));
      else resolve(result);
    });
    child.send(run);
  });
}

/**
 * Realistic mixed traffic from the simulator's pure generator: a busy contact centre (calls, agents) and
 * a fleet of meters, over two hours of a weekday morning 6 days ago (inside ingest's 7-day window, and the
 * same mix whatever the hour the bench runs at).
 */
function mixedEvents(count: number): { events: SimEvent[]; mix: string } {
  const start = Math.floor((Date.now() - 6 * DAY) / DAY) * DAY + 9 * 3600_000;
  const events: SimEvent[] = [];
  for (const e of simulate({
    ...DEFAULT_SIMULATION,
    seed: 4242,
    start,
    durationMs: 2 * 3600_000,
    agents: 150,
    callsPerMinute: 300,
    meters: 400,
    meterIntervalMs: 60_000,
  })) {
    events.push(e.event);
    if (events.length >= count) break;
  }
  const byKind = new Map<string, number>();
  for (const e of events) {
    const kind = e.type.split('.')[0];
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
  }
  const mix = [...byKind].map(([k, n]) => `${k} ${Math.round((n / events.length) * 100)}%`).join(', ');
  return { events, mix };
}

function bodiesOf(events: SimEvent[], batch: number): string[] {
  const bodies: string[] = [];
  for (let i = 0; i + batch <= events.length; i += batch) bodies.push(JSON.stringify(events.slice(i, i + batch)));
  return bodies;
}

async function acceptedSoFar(ingest: RunningIngest): Promise<number> {
  const m = await ingest.app.get(IngestMetrics).eventsAccepted.get();
  return m.values.reduce((sum, v) => sum + v.value, 0);
}

/** Waits until requests left in flight by the previous run are answered (the counter stops moving). */
async function settled(ingest: RunningIngest): Promise<number> {
  let last = await acceptedSoFar(ingest);
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 200));
    const now = await acceptedSoFar(ingest);
    if (now === last) return now;
    last = now;
  }
  return last;
}

/** Every distinct body is valid and accepted whole (so events/request is exact); also warms the path. */
async function checkBodies(ingest: RunningIngest, key: string, bodies: string[], batch: number): Promise<void> {
  for (const body of bodies.slice(0, 3)) {
    const res = await ingest.post('/v1/events', key, body);
    const json = (await res.json()) as { accepted?: number; rejected?: unknown[] };
    if (res.status !== 202 || json.accepted !== batch || (json.rejected?.length ?? 0) > 0) {
      throw new Error(`warm-up request of ${batch} event(s): ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
    }
  }
}

export function ingestSuite(): BenchSuite {
  return {
    name: 'ingest',
    description: `POST /v1/events → Kafka (acks=all) with autocannon, ${SECONDS} s per batch size, ${CONNECTIONS} connections (+ 1 connection)`,
    async run(log) {
      const { events, mix } = mixedEvents(BODY_EVENTS);
      log(`${events.length.toLocaleString()} simulated events (${mix}), timestamps 6 days ago`);
      // The per-tenant rate limit (default 1000 requests/s) would answer 429 to batches of 1; the key
      // cache keeps its production default (5 s) rather than the tests' 0.
      const ingest = await startIngest(undefined, {
        INGEST_RATE_LIMIT: '1000000000',
        INGEST_API_KEY_CACHE_MS: '5000',
      });
      const rows: BenchRow[] = [];
      try {
        const { tenant, key } = await ingest.newTenant();
        log(`app at ${ingest.url}, tenant ${tenant}`);
        const plan: { connections: number; batch: number; seconds: number }[] = [
          ...BATCHES.map((batch) => ({ connections: CONNECTIONS, batch, seconds: SECONDS })),
          ...(CONNECTIONS > 1
            ? BATCHES.map((batch) => ({ connections: 1, batch, seconds: Math.max(2, Math.round(SECONDS / 2)) }))
            : []),
        ];
        const bodies = new Map(BATCHES.map((b) => [b, bodiesOf(events, b)]));
        for (const b of BATCHES) await checkBodies(ingest, key, bodies.get(b) as string[], b);
        log('warm-up (2 s, 100 events/request)…');
        await cannon({
          url: ingest.url,
          key,
          bodies: bodies.get(100) as string[],
          connections: CONNECTIONS,
          seconds: 2,
        });

        for (const { connections, batch, seconds } of plan) {
          log(`${batch} event(s)/request, ${connections} connection(s), ${seconds} s…`);
          const accepted0 = await settled(ingest);
          let cpu0 = cpuMicros();
          let t0 = performance.now();
          const r = await cannon(
            { url: ingest.url, key, bodies: bodies.get(batch) as string[], connections, seconds },
            () => {
              cpu0 = cpuMicros();
              t0 = performance.now();
            },
          );
          const ms = performance.now() - t0;
          const cpu = cpuMicros() - cpu0;
          // Requests still in flight when autocannon stops complete afterwards: the app counts them, autocannon
          // does not. Throughput is what autocannon saw answered 202 within its run.
          const accepted = (await settled(ingest)) - accepted0;
          const cpuAll = cpuMicros() - cpu0; // including the tail: the events counted in `accepted`
          const runMs = r.durationS * 1000;
          rows.push({
            connections,
            'events/request': batch,
            requests: r.requests,
            'requests/s': perSecond(r.ok2xx, runMs),
            'events/s': perSecond(r.ok2xx * batch, runMs),
            'p50 ms': r.p50,
            'p99 ms': r.p99,
            'max ms': r.max,
            'non-2xx': r.non2xx,
            errors: r.errors + r.timeouts,
            'cpu µs/event': accepted > 0 ? Number((cpuAll / accepted).toFixed(1)) : 'n/a',
            'app cpu %': Math.round((cpu / (ms * 1000)) * 100),
            'loadgen cpu %': Math.round((r.cpuMicros / (ms * 1000)) * 100),
          });
          const acceptedOk = accepted >= r.ok2xx * batch && accepted <= (r.ok2xx + connections) * batch;
          if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0 || !acceptedOk) {
            rows.push({
              connections,
              'events/request': batch,
              warning: `WARNING: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts; app accepted ${accepted} events for ${r.ok2xx} × ${batch} answered 202`,
            });
          }
        }
      } finally {
        await ingest.close();
      }
      return rows;
    },
  };
}

import { loadavg } from 'node:os';
import { epochMs } from './epoch-clock';
import { type BenchRow, type BenchSuite, cpuMicros, listFromEnv, perSecond, round1 } from './harness';
import { LOAD_MAX_IN_FLIGHT, LOAD_TICK_MS, startLiveLoop } from './live-stack';

const RATES = listFromEnv('BENCH_E2E_RATES', [1000, 5000, 20000]);
const SECONDS = Number(process.env.BENCH_E2E_SECONDS ?? 60);
const METERS = Number(process.env.BENCH_E2E_METERS ?? 2000);
/** Meters m0…m19 are watched on the dashboard (one `meter:<id>` channel each). */
const WATCHED = 20;
/** Below this share of the offered rate accepted, the row says the load was not reached. */
const SUSTAINED = 0.95;
/** After each rate the pipeline gets this long to bring every accepted reading to the dashboard. */
const DRAIN_MS = 180_000;
/** The p50 of the first and last TREND_MS of a run: the dashboard fell behind when the last is 3× and over 2 s. */
const TREND_MS = 10_000;

/**
 * End to end through the real services (bench/live-stack.ts: ingest, two aggregator instances, the dashboard
 * gateway, as child processes): open-loop meter readings on POST /v1/events (bench/open-loop-load.ts: a request every
 * 50 ms with what the schedule has due, answered or not) at each offered rate for SECONDS, over METERS meters;
 * latency from a reading's ingest acknowledgement (the 202: in Kafka with acks=all) to the reading being in its
 * window's row on a socket.io client subscribed to the meter's channel (bench/meter-watch.ts), for every reading of
 * the 20 watched meters. The achieved rate is what ingest accepted; a rate it could not sustain is said in the row.
 */
export function e2eSuite(): BenchSuite {
  return {
    name: 'e2e',
    description: `ingest ack → value on a socket.io dashboard client, through ingest, 2 aggregators and the gateway (child processes): open-loop meter readings at ${RATES.join('/')} events/s for ${SECONDS} s each over ${METERS.toLocaleString()} meters, ${WATCHED} of them watched`,
    run,
  };
}

async function run(log: (line: string) => void): Promise<BenchRow[]> {
  const t0 = performance.now();
  const { stack, watch, load, onAck, close } = await startLiveLoop({
    aggregators: ['a', 'b'],
    meters: METERS,
    watched: WATCHED,
  });
  const rows: BenchRow[] = [];
  try {
    log(
      `namespace ${stack.namespace}: ingest, 2 aggregators and the gateway ready and warmed up in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    for (const rate of RATES) {
      const cpu0 = stack.cpu();
      const bench0 = cpuMicros();
      const load0 = loadavg()[0];
      watch.startMeasuring();
      const startAt = epochMs();
      const r = await load.run(rate, SECONDS, onAck);
      const endAt = epochMs();
      const wallMs = r.seconds * 1000;
      const cpu1 = stack.cpu();
      const benchCpu = cpuMicros() - bench0;
      // Every rate starts on a drained pipeline: a backlog left by one must not count in the next one's latency.
      const drained = await watch.waitSeen(DRAIN_MS);
      const drainS = (epochMs() - endAt) / 1000;
      const unseen = watch.unseen;
      const first = watch.medianBetween(startAt, startAt + TREND_MS);
      const last = watch.medianBetween(endAt - TREND_MS, endAt);
      const achieved = perSecond(r.accepted, wallMs);
      const cpuPct = (role: string) =>
        Math.round(((cpu1.processes[role] - (cpu0.processes[role] ?? 0)) / 1000 / wallMs) * 100);
      const notes: string[] = [];
      if (r.accepted < r.offered * SUSTAINED)
        notes.push(
          `NOT sustained: ${achieved.toLocaleString('en')} of ${rate.toLocaleString('en')} events/s accepted (${r.skipped.toLocaleString('en')} skipped with ${LOAD_MAX_IN_FLIGHT} requests unanswered, ${r.failedRequests} requests failed)`,
        );
      if (last > 3 * first && last > 2000)
        notes.push(
          `NOT sustained end to end: the dashboard fell behind (p50 ${round1(first / 1000)} s in the first ${TREND_MS / 1000} s, ${round1(last / 1000)} s in the last)`,
        );
      if (!drained) notes.push(`${unseen} readings not on the dashboard ${DRAIN_MS / 1000} s after the load`);
      rows.push({
        'offered events/s': rate,
        'achieved events/s': achieved,
        seconds: round1(r.seconds),
        'events/request': Math.round((rate * LOAD_TICK_MS) / 1000),
        samples: watch.latency.count,
        'p50 ms': round1(watch.latency.quantile(0.5)),
        'p99 ms': round1(watch.latency.quantile(0.99)),
        'max ms': round1(watch.latency.max),
        [`p50 first / last ${TREND_MS / 1000} s ms`]: `${msText(first)} / ${msText(last)}`,
        'drained s after': drained ? round1(drainS) : 'no',
        'ingest cpu %': cpuPct('ingest'),
        'agg cpu % (a/b)': `${cpuPct('agg a')} / ${cpuPct('agg b')}`,
        'gw cpu %': cpuPct('gateway'),
        'bench cpu %': Math.round((benchCpu / 1000 / wallMs) * 100),
        'machine busy %': Math.round(cpu1.machine.busyFraction(cpu0.machine) * 100),
        load: `${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)}`,
        notes: notes.join('; '),
      });
      log(
        `${rate}/s offered: ${achieved}/s accepted over ${r.seconds.toFixed(1)} s (statuses ${JSON.stringify(r.statuses)}), ${watch.latency.count} samples p50 ${round1(watch.latency.quantile(0.5))} ms p99 ${round1(watch.latency.quantile(0.99))} ms${notes.length ? `; ${notes.join('; ')}` : ''}`,
      );
    }
    if (watch.errors.length > 0) log(`client errors: ${[...new Set(watch.errors.map((e) => e.code))].join(', ')}`);
    const tail = stack.logTail(5);
    if (tail.length > 0) log(`services' last warnings: ${tail.map((l) => l.slice(0, 200)).join(' | ')}`);
  } finally {
    await close();
  }
  return rows;
}

/** A latency for a cell: whole ms, or a dash when no reading was measured there. */
const msText = (ms: number) => (Number.isNaN(ms) ? '—' : String(Math.round(ms)));

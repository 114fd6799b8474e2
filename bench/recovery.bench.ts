import { loadavg } from 'node:os';
import { epochMs } from './epoch-clock';
import { type BenchRow, type BenchSuite, perSecond, round1 } from './harness';
import { SETTLE_MS, startLiveLoop } from './live-stack';

const RATE = Number(process.env.BENCH_RECOVERY_RATE ?? 5000);
/** Load before the kill, and after it (must outlast the group's session timeout and the catch-up). */
const BEFORE_SECONDS = Number(process.env.BENCH_RECOVERY_BEFORE_SECONDS ?? 20);
const AFTER_SECONDS = Number(process.env.BENCH_RECOVERY_AFTER_SECONDS ?? 60);
const METERS = Number(process.env.BENCH_RECOVERY_METERS ?? 2000);
const WATCHED = 20;
/** A watched meter stale longer than this after the kill was on the killed instance's partitions. */
const STALE_MS = 5000;

/**
 * Failover on the real services (bench/live-stack.ts: ingest, aggregators `a` and `b`, the gateway): open-loop meter
 * readings at RATE events/s (bench/open-loop-load.ts), a socket.io client on 20 meters' channels
 * (bench/meter-watch.ts); after BEFORE_SECONDS aggregator `b` is killed with SIGKILL (no checkpoint, no leaving the
 * group) and the load goes on for AFTER_SECONDS. The dashboard shows fresh values again when every watched meter has
 * shown a reading sent after the kill: the figure is from the kill to that moment (`a` takes over `b`'s partitions
 * once the group's session timeout, 10 s, expires, restores their state from Postgres and catches up on the backlog).
 */
export function recoverySuite(): BenchSuite {
  return {
    name: 'recovery',
    description: `SIGKILL of one of two aggregators under ${RATE.toLocaleString()} events/s (open loop, ${METERS.toLocaleString()} meters) → every one of ${WATCHED} watched meters shows a reading sent after the kill on a socket.io client`,
    run,
  };
}

async function run(log: (line: string) => void): Promise<BenchRow[]> {
  const { stack, watch, load, onAck, close } = await startLiveLoop({
    aggregators: ['a', 'b'],
    meters: METERS,
    watched: WATCHED,
  });
  const meters = Array.from({ length: WATCHED }, (_, i) => `m${i}`);
  try {
    const load0 = loadavg()[0];
    watch.startMeasuring();
    let killAt = 0;
    const killer = new Promise<void>((resolve, reject) => {
      setTimeout(() => {
        killAt = epochMs();
        watch.watchFreshness(killAt);
        stack.fleet.stop('b', 'SIGKILL').then(resolve, reject);
      }, BEFORE_SECONDS * 1000);
    });
    const r = await load.run(RATE, BEFORE_SECONDS + AFTER_SECONDS, onAck);
    await killer;
    await watch.waitSeen(SETTLE_MS);
    const fresh = meters.map((m) => watch.freshAt.get(m)).map((at) => (at === undefined ? undefined : at - killAt));
    const seen = fresh.filter((ms): ms is number => ms !== undefined).sort((a, b) => a - b);
    const never = fresh.length - seen.length;
    const achieved = perSecond(r.accepted, r.seconds * 1000);
    const notes: string[] = [];
    if (r.accepted < r.offered * 0.95)
      notes.push(`NOT sustained: ${achieved.toLocaleString('en')} of ${RATE.toLocaleString('en')} events/s accepted`);
    if (never > 0)
      notes.push(
        `${never} watched meter(s) never fresh within ${AFTER_SECONDS} s of load and ${SETTLE_MS / 1000} s after`,
      );
    const row: BenchRow = {
      'offered events/s': RATE,
      'achieved events/s': achieved,
      'dashboard fresh again s': never > 0 ? 'never' : round1((seen.at(-1) as number) / 1000),
      'median meter fresh s': seen.length > 0 ? round1(seen[Math.floor((seen.length - 1) / 2)] / 1000) : 'never',
      [`meters stale > ${STALE_MS / 1000} s`]: `${fresh.filter((ms) => ms === undefined || ms > STALE_MS).length} of ${WATCHED}`,
      'p50 ms before kill': round1(watch.latency.quantile(0.5)),
      'p99 ms before kill': round1(watch.latency.quantile(0.99)),
      'p50 ms after kill': round1(watch.latencyAfter.quantile(0.5)),
      'p99 ms after kill': round1(watch.latencyAfter.quantile(0.99)),
      'unseen readings': watch.unseen,
      load: `${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)}`,
      notes: notes.join('; '),
    };
    log(
      `killed aggregator b after ${BEFORE_SECONDS} s of ${RATE}/s; ${achieved}/s accepted over ${r.seconds.toFixed(1)} s; fresh after (s): ${fresh.map((ms) => (ms === undefined ? '—' : (ms / 1000).toFixed(1))).join(' ')}`,
    );
    const tail = stack.logTail(5);
    if (tail.length > 0) log(`services' last warnings: ${tail.map((l) => l.slice(0, 200)).join(' | ')}`);
    return [row];
  } finally {
    await close();
  }
}

// The open-loop load of the e2e and recovery suites on a thread of its own: requests leave on the schedule whatever
// the answers do, and an ack is timed when it arrives, not when the clients' busy event loop gets to it
// (bench/open-loop-load.ts starts this file).
import { parentPort, workerData } from 'node:worker_threads';
import { epochMs } from './epoch-clock';
import type { LoadAck, LoadPlan, LoadResult, LoadRun } from './open-loop-load';

const plan = workerData as LoadPlan;
const QUARTER = 15 * 60_000;
// The meters' state lives as long as the worker, across runs: registers only grow, a meter's ts never repeats and
// a window's reading count goes on where the last run left it.
/** Each meter's register (Wh, 3 decimals as integer mWh) and the ts of its last reading. */
const registerMwh = new Float64Array(plan.meters).fill(1_000_000);
const lastTs = new Float64Array(plan.meters);
/** Readings of each watched meter in its current window so far: what the window row's `readings` must reach. */
const windowCounts = new Map<string, number>();
let meter = 0;

async function run({ rate, seconds }: LoadRun): Promise<LoadResult> {
  const result: LoadResult = {
    offered: 0,
    sent: 0,
    accepted: 0,
    failedRequests: 0,
    skipped: 0,
    statuses: {},
    seconds: 0,
  };
  const t0 = epochMs();
  const end = t0 + seconds * 1000;
  let inFlight = 0;
  const requests: Promise<void>[] = [];
  for (let tick = 1; ; tick++) {
    const at = t0 + tick * plan.tickMs;
    if (at > end) break;
    await new Promise((r) => setTimeout(r, Math.max(0, at - epochMs())));
    const due = Math.round((rate * (at - t0)) / 1000) - result.offered;
    result.offered += due;
    if (inFlight >= plan.maxInFlight) {
      // Open loop, bounded: beyond maxInFlight unanswered requests the events are not sent, and say so.
      result.skipped += due;
      continue;
    }
    const events: object[] = [];
    const samples: LoadAck['samples'] = [];
    const now = Date.now();
    for (let i = 0; i < due; i++) {
      const m = meter;
      meter = (meter + 1) % plan.meters;
      const ts = Math.max(now, lastTs[m] + 1);
      lastTs[m] = ts;
      registerMwh[m] += 125 + (m % 7) * 250;
      events.push({ type: 'meter.reading', ts, meterId: `m${m}`, energyWh: registerMwh[m] / 1000 });
      if (m < plan.watched) {
        const window = ts - (ts % QUARTER);
        const key = `m${m}@${window}`;
        const need = (windowCounts.get(key) ?? 0) + 1;
        windowCounts.set(key, need);
        samples.push([key, need, ts]);
      }
    }
    inFlight++;
    result.sent += events.length;
    const sentAt = epochMs();
    requests.push(
      fetch(`${plan.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${plan.key}` },
        body: JSON.stringify(events),
        signal: AbortSignal.timeout(30_000),
      })
        .then(async (res) => {
          const ackAt = epochMs();
          result.statuses[res.status] = (result.statuses[res.status] ?? 0) + 1;
          const body = (await res.json().catch(() => ({}))) as { accepted?: number };
          if (res.status === 202 && body.accepted === events.length) {
            result.accepted += events.length;
            const ack: LoadAck = { sentAt, ackAt, samples };
            parentPort?.postMessage({ ack });
          } else result.failedRequests++;
        })
        .catch(() => {
          result.failedRequests++;
          result.statuses.error = (result.statuses.error ?? 0) + 1;
        })
        .finally(() => {
          inFlight--;
        }),
    );
  }
  result.seconds = (epochMs() - t0) / 1000;
  await Promise.all(requests);
  return result;
}

parentPort?.on('message', (request: LoadRun) =>
  run(request).then(
    (result) => parentPort?.postMessage({ result }),
    (err: Error) => parentPort?.postMessage({ error: err.message }),
  ),
);

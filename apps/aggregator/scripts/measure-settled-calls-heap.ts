// Heap and checkpoint cost of the calls stage's restatement state, per settled call:
//   node --expose-gc -r @swc-node/register apps/aggregator/scripts/measure-settled-calls-heap.ts compact
//   node --expose-gc -r @swc-node/register apps/aggregator/scripts/measure-settled-calls-heap.ts full
// Builds CALLS settled calls (10k a day for 7 days: what the default horizon keeps) with the real tracker, then
// compares heapUsed (after GC) before and after filling a KeyedStore with their compact (`compactCall`) or full
// records, keyed `<tenant>/<uuid>` as the stage keys them. One form per process, so one run's garbage is not the next's.
import { randomUUID } from 'node:crypto';
import { KeyedStore } from '../../../libs/streams/src';
import { applyCallEvent, compactCall } from '../src/calls';

const CALLS = 70_000;
const T = Date.UTC(2026, 0, 1);
const form = process.argv[2] === 'full' ? 'full' : 'compact';

function heap(): number {
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

// As JSON, the way a checkpoint restores them (no sharing with the objects that built them).
const source = Array.from({ length: CALLS }, (_, i) => {
  const callId = randomUUID();
  const start = T + i * 8_640;
  let r = applyCallEvent(undefined, { type: 'call.started', callId, queue: `queue-${i % 20}`, ts: start }).record;
  if (i % 5 !== 0)
    r = applyCallEvent(r, { type: 'call.answered', callId, agentId: `agent-${i % 300}`, ts: start + 12_000 }).record;
  r = applyCallEvent(r, { type: 'call.ended', callId, ts: start + 200_000 }).record;
  return [`tenant-0001/${callId}`, JSON.stringify(form === 'full' ? r : compactCall(r))] as const;
});

async function main(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 200)); // lets the building's garbage go first
  const before = heap();
  const store = new KeyedStore<unknown>();
  for (const [key, json] of source) store.set(` ${key}`.slice(1), JSON.parse(json), 0);
  const after = heap();
  const checkpoint = JSON.stringify(store.snapshot().entries).length;
  console.log(
    JSON.stringify({
      form,
      calls: CALLS,
      heapBytesPerCall: Math.round((after - before) / CALLS),
      checkpointBytesPerCall: Math.round(checkpoint / CALLS),
      heapMB: +((after - before) / 1e6).toFixed(1),
      checkpointMB: +(checkpoint / 1e6).toFixed(1),
    }),
  );
}

void main();

// Heap cost of restatement state: `node --expose-gc -r @swc-node/register libs/streams/scripts/measure-closed-window-heap.ts`
// Feeds KEYS keys one record per window for WINDOWS windows with restateForMs long enough that every closed window
// is kept, then compares heapUsed (after GC) with the same run without restatement.
import { sum, tumbling, WindowedAggregation } from '../src';

const KEYS = 10_000;
const WINDOWS = 100;
const SIZE = 15 * 60_000;

function gc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

function run(restateForMs: number | undefined, closeBy: 'partition' | 'key'): { heap: number; estimate: number; closed: number } {
  const before = gc();
  const agg = new WindowedAggregation<number, number, number>({
    window: tumbling(SIZE),
    aggregator: sum(),
    grace: 60_000,
    emit: 'final',
    restateForMs,
    closeBy,
    sink: { push: () => 0 },
    mode: 'replay',
  });
  agg.assign(0);
  const keys = Array.from({ length: KEYS }, (_, i) => `tenant/m-${String(i).padStart(5, '0')}`);
  for (let w = 0; w < WINDOWS; w++) {
    const t = 1_700_000_000_000 + w * SIZE;
    agg.process(keys.map((key, i) => ({ key, value: i, timestamp: t + 1000, partition: 0 })));
  }
  const heap = gc() - before;
  const stats = agg.stats(0);
  (globalThis as { keep?: unknown }).keep = agg;
  return { heap, estimate: stats.stateBytes, closed: stats.closedWindows };
}

const base = run(undefined, 'partition');
const kept = run(WINDOWS * SIZE * 2, 'partition');
const byKey = run(WINDOWS * SIZE * 2, 'key');
const per = (r: { heap: number }) => (r.heap - base.heap) / (kept.closed || 1);
console.log(JSON.stringify({ keys: KEYS, base, kept, byKey }, null, 1));
console.log(`per closed window: ${per(kept).toFixed(1)} B heap (estimate ${((kept.estimate - base.estimate) / kept.closed).toFixed(1)} B)`);
console.log(`per key clock (closeBy key): ${((byKey.heap - kept.heap) / KEYS).toFixed(1)} B heap`);
console.log(`10k keys, 15-min windows, 7-day horizon (672 closed windows each): ${((per(kept) * 672 * 10_000) / 2 ** 20).toFixed(0)} MiB`);
console.log(`10k keys, 1-min windows, 7-day horizon (10080 closed windows each): ${((per(kept) * 10_080 * 10_000) / 2 ** 30).toFixed(2)} GiB`);

// In-process speed of the default WindowedAggregation path (no restatement, no closeBy, no inputs): a keyed
// tumbling sum, 1-minute windows, `emit: 'current'`, batches of 1000. Prints records/s per round.
// node -r @swc-node/register libs/streams/scripts/measure-window-speed.ts [records=2000000] [keys=10000] [rounds=4]
import { type StreamRecord, sum, tumbling, WindowedAggregation } from '../src/core/processing';

const N = Number(process.argv[2] ?? 2_000_000);
const KEYS = Number(process.argv[3] ?? 10_000);
const ROUNDS = Number(process.argv[4] ?? 4);
const BATCH = 1000;
const T0 = 1_700_000_000_000;

const batches: StreamRecord<number>[][] = [];
for (let i = 0; i < N; i += BATCH) {
  const b: StreamRecord<number>[] = [];
  for (let j = i; j < i + BATCH && j < N; j++) {
    const key = j % KEYS;
    const round = Math.floor(j / KEYS);
    b.push({ key: `meter-${key}`, value: 1 + (j % 7), timestamp: T0 + round * 60_000 + key, partition: 0 });
  }
  batches.push(b);
}
const keys = Array.from({ length: KEYS }, (_, k) => `meter-${k}`);
void keys;

for (let r = 0; r < ROUNDS; r++) {
  let rows = 0;
  const op = new WindowedAggregation<number, number, number>({
    window: tumbling(60_000),
    aggregator: sum(),
    grace: 10_000,
    emit: 'current',
    mode: 'replay',
    sink: { push: () => rows++ },
  });
  op.assign(0);
  const t = process.hrtime.bigint();
  for (const b of batches) op.process(b);
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  console.log(`round ${r + 1}: ${(N / s / 1e6).toFixed(2)} M records/s (${rows} rows)`);
}

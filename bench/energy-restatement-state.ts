// The state cost of energy restatement at the default horizon (ingest's 7 days + 5 min + the 60 s grace):
// `node --expose-gc -r @swc-node/register bench/energy-restatement-state.ts [meters] [readingsPerQuarter]`.
// Feeds `meters` meters in order (one batch per minute of event time) for the horizon plus an hour, so every meter
// holds a full horizon of closed windows and readings, then prints per 10k meters: the checkpointed state (JSON bytes
// of every entry of both states: the meters' readings and the engine's windows), the JSON written by one checkpoint
// 15 minutes later, and the heap the state takes.
import { type ConsumedMessage, TimeseriesData } from '@switchboard/streams';
import { energyTopology } from '../apps/aggregator/src/pipelines/energy';

const meters = Number(process.argv[2] ?? 200);
const perQuarter = Number(process.argv[3] ?? 1);
const Q = 15 * 60_000;
const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5);
const GRACE = 60_000;
const HORIZON = Number(process.env.HORIZON_MS ?? 7 * 86_400_000 + 5 * MIN + GRACE);
const step = Q / perQuarter;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function batch(from: number, to: number): ConsumedMessage[] {
  const out: ConsumedMessage[] = [];
  for (let m = 0; m < meters; m++) {
    const data = new TimeseriesData();
    let rows = 0;
    for (let ts = Math.ceil(from / step) * step; ts < to; ts += step) {
      const i = data.addRow(ts);
      data.setNumeric(i, 'energyWh', (((ts - T0) / step) * 12_345 + m * 1_000) / 1_000); // ≤ 3 decimals, exactly
      data.setNumeric(i, 'powerW', 1_000 + (ts % 7) * 10);
      rows++;
    }
    if (rows > 0)
      out.push({ partition: 0, offset: '0', streamId: `t/meter-${m}`, message: { kind: 'timeseries', data } });
  }
  return out;
}

function jsonBytes(entries: ReadonlyArray<readonly [string, unknown, ...unknown[]]>): number {
  let n = 0;
  for (const [key, value] of entries) n += key.length + JSON.stringify(value).length;
  return n;
}

gc();
const heapBefore = process.memoryUsage().heapUsed;
const t = energyTopology({ graceMs: GRACE, idleMs: 10_000, mode: 'replay', restateForMs: HORIZON });
for (const state of t.states) state.restore(0, undefined);
const end = T0 + HORIZON + 3_600_000;
const started = Date.now();
let readings = 0;
const count = (messages: ConsumedMessage[]) => {
  for (const m of messages) if (m.message.kind === 'timeseries') for (const _ of m.message.data.rows()) readings++;
};
for (let from = T0; from < end; from += MIN) {
  const messages = batch(from, from + MIN);
  count(messages);
  t.process(0, messages);
  t.drain();
}
const seconds = (Date.now() - started) / 1000;
// The whole state as a checkpoint holds it (changes since the start = every entry), measured and then let go.
let entries = t.states.flatMap((state) => state.changes(0)?.upserts ?? []);
const stateJson = jsonBytes(entries);
// the engine's closed windows are one row each, keyed `\u0001<windowStart>\u0001<key>`
const closedWindows = entries.filter(([k]) => k.startsWith('\u0001')).length;
entries = [];
for (const state of t.states) state.markCheckpointed(0);
gc();
const heap = process.memoryUsage().heapUsed - heapBefore;
for (let from = end; from < end + Q; from += MIN) {
  t.process(0, batch(from, from + MIN));
  t.drain();
}
const next = t.states.map((state) => state.changes(0));

const per10k = (bytes: number) => `${(((bytes / meters) * 10_000) / 1e6).toFixed(1)} MB`;
console.log(
  JSON.stringify(
    {
      meters,
      readingsPerQuarter: perQuarter,
      horizonDays: +(HORIZON / 86_400_000).toFixed(3),
      refused: t.refused,
      readings,
      readingsPerSecond: Math.round(readings / seconds),
      closedWindowsPerMeter: +(closedWindows / meters).toFixed(1),
      checkpointedStatePer10kMeters: per10k(stateJson),
      oneCheckpoint15MinLaterPer10kMeters: per10k(
        next.reduce((n, c) => n + jsonBytes(c?.upserts ?? []) + (c?.deletes ?? []).join('').length, 0),
      ),
      heapPer10kMeters: per10k(heap),
    },
    null,
    2,
  ),
);

// Test support for the processing specs (not exported by the library).
import type { Aggregator } from './aggregators';
import type { StreamRecord, WindowRow } from './record';
import { earliestWindowStart, latestWindowStart, type WindowDefinition } from './windows';

export function rec<T>(key: string, timestamp: number, value: T, partition = 0): StreamRecord<T> {
  return { key, value, timestamp, partition };
}

/** `key@start` → value of the final rows. */
export function finalValues<R>(rows: readonly WindowRow<R>[]): Record<string, R> {
  const out: Record<string, R> = {};
  for (const r of rows) if (r.final) out[`${r.key}@${r.windowStart}`] = r.value;
  return out;
}

/** The plain batch computation: every record into every window containing it. */
export function batchAggregate<V, A, R>(
  records: readonly StreamRecord<V>[],
  window: WindowDefinition,
  agg: Aggregator<V, A, R>,
): Record<string, R> {
  const accs = new Map<string, A>();
  for (const r of records) {
    const last = latestWindowStart(r.timestamp, window.stepMs);
    for (let s = earliestWindowStart(window, r.timestamp); s <= last; s += window.stepMs) {
      const id = `${r.key}@${s}`;
      accs.set(id, agg.add(accs.get(id) ?? agg.initial(), r.value));
    }
  }
  const out: Record<string, R> = {};
  for (const [id, acc] of accs) out[id] = agg.result ? agg.result(acc) : (acc as unknown as R);
  return out;
}

/** A manual wall clock. */
export function manualClock(start = 0): { now: () => number; set: (t: number) => void } {
  let t = start;
  return { now: () => t, set: (v) => (t = v) };
}

/** Cuts `stream` into consecutive batches whose sizes cycle through `cuts` (each ≥ 1). */
export function cutIntoBatches<T>(stream: readonly T[], cuts: readonly number[]): T[][] {
  const batches: T[][] = [];
  let i = 0;
  for (let c = 0; i < stream.length; c++) {
    const n = cuts[c % cuts.length];
    batches.push(stream.slice(i, i + n));
    i += n;
  }
  return batches;
}

/**
 * Interleaves two upstream partitions' records as a schedule says — `[pick source 1?, how many]`, cycled; a source
 * that ran out yields to the other — handing each slice to `feed` until both are exhausted.
 */
export function interleaveSources<T>(
  src: readonly (readonly T[])[],
  schedule: ReadonlyArray<readonly [boolean, number]>,
  feed: (slice: T[]) => void,
): void {
  const pos = [0, 0];
  let step = 0;
  while (pos[0] < src[0].length || pos[1] < src[1].length) {
    const [pickOne, n] = schedule[step++ % schedule.length];
    const p = pickOne ? 1 : 0;
    const q = pos[p] < src[p].length ? p : 1 - p;
    feed(src[q].slice(pos[q], pos[q] + n));
    pos[q] += n;
  }
}

import { EnergyValueError } from './energy-errors';
import { ENERGY_WINDOW_MS, type EnergyColumns, energyWindowStart, type ReadingContribution } from './energy-window';
import { energyWhToMwh } from './milliwatt-hours';
import {
  InMemoryBuckets,
  READING_BUCKET_MS,
  type ReadingBuckets,
  readingBucketStart,
  type StoredReading,
} from './reading-buckets';

/** A `meter.reading` event (ts = epoch ms, event time; energyWh = cumulative register). */
export interface MeterReading {
  readonly meterId: string;
  readonly ts: number;
  readonly energyWh: number | string;
  readonly powerW?: number | null;
}

/** One `meter_energy_15m` row's window and metric columns (tenant and meter are the caller's key). */
export interface EnergyWindowRow extends EnergyColumns {
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly isFinal: boolean;
}

/**
 * The signed contributions one reading changes, for the windowing engine (retract each of `retract`, then add each
 * of `add`, every one into the window of its `ts`). The successor's contribution is re-attributed: retracted
 * against its old predecessor and added back against the new reading, in its own window.
 */
export interface EnergyCorrections {
  readonly retract: readonly ReadingContribution[];
  readonly add: readonly ReadingContribution[];
}

/**
 * - `applied`: the reading is in; `corrections` says what changes in which windows.
 * - `duplicate`: a reading with the same ts is already known; the first one is kept.
 * - `beyond_horizon`: its window is older than `expire` allowed to keep; nothing changes. Ingest refuses such
 *   readings, so this should not happen.
 */
export interface ReadingOutcome {
  readonly status: 'applied' | 'duplicate' | 'beyond_horizon';
  readonly corrections: EnergyCorrections;
}

const NO_CORRECTIONS: EnergyCorrections = Object.freeze({ retract: [], add: [] });
const DUPLICATE: ReadingOutcome = Object.freeze({ status: 'duplicate', corrections: NO_CORRECTIONS });
const BEYOND_HORIZON: ReadingOutcome = Object.freeze({ status: 'beyond_horizon', corrections: NO_CORRECTIONS });

/**
 * What is energy-specific about one (tenant, meter): its readings in ts order, from which a reading — also a late
 * one that splits an earlier delta — becomes signed contributions. The windows themselves (open, final, restated,
 * versions) are the streams engine's.
 *
 * The readings are kept split in three, so the state stays small and a checkpoint writes little:
 * - the *tail*: the readings of the newest two windows (where in-order readings and those within grace land);
 * - the *buckets*: older readings, one `ReadingBuckets` entry per 6 hours, touched only by a late reading;
 * - the *anchor*: the last reading of the buckets dropped at the horizon, the predecessor of everything kept.
 *
 * A reading's energy depends only on its predecessor, so inserting a reading between two others retracts the
 * successor's contribution and adds it back against the new one. The result is exactly the in-order result,
 * whatever the arrival order within the horizon.
 */
export class MeterEnergy {
  private readonly tail: StoredReading[];
  /** Readings before this are in buckets (−∞: none are). A window boundary. */
  private tailStart: number;
  /** Starts of the non-empty buckets, ascending. */
  private readonly buckets: number[];
  private anchor: StoredReading | null;
  /** A reading before this is beyond the horizon (a window boundary; −∞ until the first expiry). */
  private expiredBefore: number;

  constructor(
    snapshot?: MeterEnergySnapshot,
    private readonly store: ReadingBuckets = new InMemoryBuckets(),
  ) {
    this.tail = snapshot?.tail.map(([ts, mwh]): StoredReading => [ts, mwh]) ?? [];
    this.tailStart = snapshot?.tailStart ?? Number.NEGATIVE_INFINITY;
    this.buckets = expandRuns(snapshot?.buckets ?? []);
    this.anchor = snapshot?.anchor ?? null;
    this.expiredBefore = snapshot?.expiredBefore ?? Number.NEGATIVE_INFINITY;
  }

  snapshot(): MeterEnergySnapshot {
    return {
      tail: this.tail.slice(), // a copy: the store must not see later readings before they are checkpointed
      tailStart: finiteOrNull(this.tailStart),
      buckets: runsOf(this.buckets),
      anchor: this.anchor,
      expiredBefore: finiteOrNull(this.expiredBefore),
    };
  }

  /** Throws EnergyValueError for an unusable register or power value (before changing anything). */
  ingest(reading: MeterReading): ReadingOutcome {
    const stored: StoredReading = [reading.ts, energyWhToMwh(reading.energyWh)];
    const powerW = validPower(reading);
    if (reading.ts < this.expiredBefore) return BEYOND_HORIZON;
    const around = reading.ts >= this.tailStart ? this.insertInTail(stored) : this.insertInBucket(stored);
    if (around === undefined) return DUPLICATE;
    const [previous, next] = around;
    this.compact();
    return {
      status: 'applied',
      corrections: {
        retract: next ? [contributionOf(next, null, previous)] : [],
        add: [contributionOf(stored, powerW, previous), ...(next ? [contributionOf(next, null, stored)] : [])],
      },
    };
  }

  /**
   * Moves the horizon to `before` (stream time − grace − restateForMs; rounded down to a window boundary): from then
   * on a reading before it is beyond the horizon. Forgets the buckets that end at or before it (and, once none is
   * left, the tail's readings before it), keeping the last forgotten reading as the anchor. Returns true when it
   * forgot anything.
   */
  expire(before: number): boolean {
    const boundary = energyWindowStart(before);
    if (!Number.isFinite(boundary) || boundary <= this.expiredBefore) return false;
    this.expiredBefore = boundary;
    let forgot = false;
    while (this.buckets.length > 0 && this.buckets[0] + READING_BUCKET_MS <= boundary) {
      const start = this.buckets.shift() as number;
      this.anchor = this.store.get(start)?.at(-1) ?? this.anchor;
      this.store.delete(start);
      forgot = true;
    }
    const old = this.buckets.length === 0 ? insertionIndex(this.tail, boundary) : 0;
    if (old > 0) {
      this.anchor = this.tail[old - 1];
      this.tail.splice(0, old);
      forgot = true;
    }
    return forgot;
  }

  /** True while a reading of this meter is still within the horizon (the meter holds something restatable). */
  get holdsReadings(): boolean {
    return this.buckets.length > 0 || (this.tail.at(-1)?.[0] ?? Number.NEGATIVE_INFINITY) >= this.expiredBefore;
  }

  /** Readings held (tail, buckets and the anchor). */
  get heldReadings(): number {
    let n = this.tail.length + (this.anchor ? 1 : 0);
    for (const start of this.buckets) n += this.store.get(start)?.length ?? 0;
    return n;
  }

  /** Inserts into the tail; returns the neighbours, or undefined for a duplicate. */
  private insertInTail(stored: StoredReading): [StoredReading | undefined, StoredReading | undefined] | undefined {
    const tail = this.tail;
    const i = insertionIndex(tail, stored[0]);
    if (tail[i]?.[0] === stored[0]) return undefined;
    const previous = tail[i - 1] ?? this.lastBefore(this.buckets.length);
    const next = tail[i];
    tail.splice(i, 0, stored);
    return [previous, next];
  }

  /** Inserts a late reading into its bucket; returns the neighbours, or undefined for a duplicate. */
  private insertInBucket(stored: StoredReading): [StoredReading | undefined, StoredReading | undefined] | undefined {
    const start = readingBucketStart(stored[0]);
    const readings = [...(this.store.get(start) ?? [])];
    const i = insertionIndex(readings, stored[0]);
    if (readings[i]?.[0] === stored[0]) return undefined;
    const at = insertionIndexOf(this.buckets, start);
    const previous = readings[i - 1] ?? this.lastBefore(at);
    const next = readings[i] ?? this.firstAfter(this.buckets[at] === start ? at + 1 : at);
    readings.splice(i, 0, stored);
    this.store.set(start, readings);
    if (readings.length === 1) this.buckets.splice(at, 0, start);
    return [previous, next];
  }

  /** The last reading of the buckets before index `at` of `buckets`, else the anchor. */
  private lastBefore(at: number): StoredReading | undefined {
    const start = this.buckets[at - 1];
    return start === undefined ? (this.anchor ?? undefined) : this.store.get(start)?.at(-1);
  }

  /** The first reading of the buckets from index `at` of `buckets` on, else of the tail. */
  private firstAfter(at: number): StoredReading | undefined {
    const start = this.buckets[at];
    return start === undefined ? this.tail[0] : this.store.get(start)?.[0];
  }

  /** Moves the readings older than the newest two windows from the tail into their buckets. */
  private compact(): void {
    const newest = this.tail.at(-1);
    if (newest === undefined) return;
    const boundary = energyWindowStart(newest[0]) - ENERGY_WINDOW_MS;
    if (boundary <= this.tailStart) return;
    const moving = this.tail.splice(0, insertionIndex(this.tail, boundary));
    this.tailStart = boundary;
    let i = 0;
    while (i < moving.length) {
      const start = readingBucketStart(moving[i][0]);
      let j = i + 1;
      while (j < moving.length && moving[j][0] < start + READING_BUCKET_MS) j++;
      const kept = this.store.get(start) ?? [];
      this.store.set(start, [...kept, ...moving.slice(i, j)]);
      if (kept.length === 0) this.buckets.push(start); // every bucket before the old tail start is earlier
      i = j;
    }
  }
}

/** First index whose ts is ≥ `ts` (binary search: readings are kept in ts order). */
function insertionIndex(readings: readonly StoredReading[], ts: number): number {
  let lo = 0;
  let hi = readings.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (readings[mid][0] < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose value is ≥ `value` in an ascending list of numbers. */
function insertionIndexOf(values: readonly number[], value: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface MeterEnergySnapshot {
  /** The newest readings (ts ≥ tailStart), `[ts, mWh]`. */
  readonly tail: ReadonlyArray<StoredReading>;
  readonly tailStart: number | null;
  /** Starts of the non-empty buckets as runs `[first start, consecutive buckets]` (a steady meter has one run). */
  readonly buckets: ReadonlyArray<readonly [start: number, buckets: number]>;
  readonly anchor: StoredReading | null;
  readonly expiredBefore: number | null;
}

/**
 * PRODUCT.md: energy = register − previous register; a negative difference is a register restart, whose energy is
 * the reading's own register. The first reading of a meter is its baseline (energy 0). A re-attributed successor
 * carries no power: it is already in its window's max (see energyWindowAggregator).
 */
export function contributionOf(
  [ts, mwh]: StoredReading,
  powerW: number | null,
  previous: StoredReading | undefined,
): ReadingContribution {
  if (!previous) return { ts, powerW, energyMwh: 0, reset: false };
  const difference = mwh - previous[1];
  return difference < 0
    ? { ts, powerW, energyMwh: mwh, reset: true }
    : { ts, powerW, energyMwh: difference, reset: false };
}

function validPower(reading: MeterReading): number | null {
  const { powerW } = reading;
  if (powerW === undefined || powerW === null) return null;
  if (!Number.isFinite(powerW)) {
    throw new EnergyValueError('powerW must be a finite number', { meterId: reading.meterId, ts: reading.ts });
  }
  return powerW;
}

function finiteOrNull(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

function runsOf(starts: readonly number[]): Array<[start: number, buckets: number]> {
  const runs: Array<[number, number]> = [];
  for (const start of starts) {
    const last = runs.at(-1);
    if (last && last[0] + last[1] * READING_BUCKET_MS === start) last[1]++;
    else runs.push([start, 1]);
  }
  return runs;
}

function expandRuns(runs: ReadonlyArray<readonly [start: number, buckets: number]>): number[] {
  const starts: number[] = [];
  for (const [start, n] of runs) for (let i = 0; i < n; i++) starts.push(start + i * READING_BUCKET_MS);
  return starts;
}

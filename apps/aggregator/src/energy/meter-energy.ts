import { EnergyValueError } from './energy-errors';
import {
  ENERGY_WINDOW_MS,
  type EnergyColumns,
  EnergyWindow,
  type EnergyWindowSnapshot,
  energyWindowStart,
  type ReadingContribution,
} from './energy-window';
import {
  type FinalReading,
  type FinalSegment,
  type FinalSegments,
  FinalWindow,
  InMemorySegments,
  type ReadingTuple,
} from './final-segments';
import { energyWhToMwh } from './milliwatt-hours';

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
 * - `applied`: the reading is in; `changed` holds the new values of every window it touched (its own, and the
 *   window of the next reading when it was inserted before one: that reading's energy is re-attributed). Rows
 *   with `isFinal` are restatements of final windows.
 * - `duplicate`: a reading with the same ts is already known (also in a final window); the first one is kept.
 * - `beyond_horizon`: its window is final and no longer kept (expired past the restatement horizon); nothing
 *   changes. Ingest refuses such readings, so this should not happen.
 */
export interface ReadingOutcome {
  readonly status: 'applied' | 'duplicate' | 'beyond_horizon';
  readonly changed: readonly EnergyWindowRow[];
  /** The same change as reading contributions (apply `retract` with −1, then `add`), for a windowing engine. */
  readonly corrections: EnergyCorrections;
}

export interface EnergyCorrections {
  readonly retract: readonly ReadingContribution[];
  readonly add: readonly ReadingContribution[];
}

const NO_CORRECTIONS: EnergyCorrections = Object.freeze({ retract: [], add: [] });

/** A reading as held in state: register in integer mWh. */
export interface StoredReading {
  readonly ts: number;
  readonly mwh: number;
  readonly powerW: number | null;
}

/**
 * The energy state of one (tenant, meter), for a keyed engine (key = tenant + meterId).
 *
 * The meter's readings in ts order, split in three:
 * - the *open* part: readings at or after `sealedBefore` and their windows (changed freely, as before);
 * - the *final segments*: each final window not yet expired, with its accumulator and readings, kept in
 *   `FinalSegments` (one store entry per window, so a checkpoint writes only the windows that changed), and
 *   `finals`, the sorted starts of the non-empty ones (to find a late reading's neighbours across empty windows);
 * - the *anchor*: the last reading of the expired windows, the predecessor of everything still kept.
 *
 * A reading's energy depends only on its predecessor, so inserting a reading between two others retracts the
 * successor's contribution and adds it back against the new predecessor — in an open window or a final one
 * alike (a final window changed so is a restatement). The result is exactly the in-order result, whatever the
 * arrival order within the horizon.
 */
export class MeterEnergy {
  private readonly readings: StoredReading[];
  private readonly windows: Map<number, EnergyWindow>;
  /** Windows ending at or before this are final. Null until the first seal. */
  private sealedBefore: number | null;
  /** Starts of the non-empty final windows still kept, ascending. */
  private readonly finals: number[];
  private anchor: StoredReading | null;
  /** Final windows ending at or before this are forgotten: a reading for them is beyond the horizon. */
  private expiredBefore: number | null;

  constructor(
    snapshot?: MeterEnergySnapshot,
    private readonly segments: FinalSegments = new InMemorySegments(),
  ) {
    const sealedBefore = snapshot?.sealedBefore ?? null;
    const all = snapshot?.readings.map(toStored) ?? [];
    // A snapshot from before restatement kept the last sealed reading as readings[0]: it becomes the anchor, and
    // its final windows (never kept as segments) count as expired.
    const older = sealedBefore === null ? [] : all.filter((r) => r.ts < sealedBefore);
    this.readings = older.length === 0 ? all : all.slice(older.length);
    this.windows = new Map(snapshot?.windows.map(([start, w]) => [start, EnergyWindow.fromSnapshot(w)]) ?? []);
    this.sealedBefore = sealedBefore;
    this.finals = expandRuns(snapshot?.finals ?? []);
    const anchor = snapshot?.anchor;
    this.anchor = anchor ? toStored(anchor) : (older.at(-1) ?? null);
    this.expiredBefore = snapshot?.expiredBefore ?? (snapshot?.finals === undefined ? sealedBefore : null);
  }

  snapshot(): MeterEnergySnapshot {
    return {
      sealedBefore: this.sealedBefore,
      readings: this.readings.map(toTuple),
      windows: [...this.windows].map(([start, w]) => [start, w.snapshot()]),
      finals: runsOf(this.finals),
      anchor: this.anchor ? toTuple(this.anchor) : null,
      expiredBefore: this.expiredBefore,
    };
  }

  /** Throws EnergyValueError for an unusable register value (before changing anything). */
  ingest(reading: MeterReading): ReadingOutcome {
    const stored: StoredReading = {
      ts: reading.ts,
      mwh: energyWhToMwh(reading.energyWh),
      powerW: validPower(reading),
    };
    if (this.sealedBefore !== null && stored.ts < this.sealedBefore) return this.restate(stored);
    const index = insertionIndex(this.readings, stored.ts);
    if (this.readings[index]?.ts === stored.ts) return DUPLICATE;

    const previous = this.readings[index - 1] ?? this.lastFinalReading();
    const next = this.readings[index];
    const { retract, add } = corrections(stored, previous, next);
    this.readings.splice(index, 0, stored);
    const touched = new Set<number>();
    for (const c of retract) this.applyOpen(c, -1, touched);
    for (const c of add) this.applyOpen(c, 1, touched);

    const changed = [...touched].sort((a, b) => a - b).map((start) => this.row(start, false));
    return { status: 'applied', changed, corrections: { retract, add } };
  }

  /**
   * Closes the windows that end at or before `sealedBefore` (the meter's stream time − grace; rounded down to a
   * window boundary, so a window is never half sealed) and returns them as final rows, oldest first. Each
   * becomes a final segment, restatable until `expire` forgets it.
   */
  seal(sealedBefore: number): EnergyWindowRow[] {
    const boundary = energyWindowStart(sealedBefore);
    if (!Number.isFinite(boundary) || (this.sealedBefore !== null && boundary <= this.sealedBefore)) return [];
    this.sealedBefore = boundary;
    const closing = [...this.windows.keys()].filter((s) => s + ENERGY_WINDOW_MS <= boundary).sort((a, b) => a - b);
    const rows = closing.map((start) => this.row(start, true));
    const firstOpen = insertionIndex(this.readings, boundary);
    const sealed = this.readings.splice(0, firstOpen);
    for (const start of closing) {
      const window = this.windows.get(start) as EnergyWindow;
      const readings = sealed.filter((r) => energyWindowStart(r.ts) === start).map(toPair);
      this.segments.set(start, { columns: window.columns(), readings, version: 0, revision: 0 });
      this.windows.delete(start);
      this.finals.push(start);
    }
    return rows;
  }

  /**
   * Forgets the final windows that end at or before `before` (stream time − grace − restateForMs), keeping the
   * last of their readings as the anchor. Never reaches into open windows. Returns how many segments it dropped.
   */
  expire(before: number): number {
    if (this.sealedBefore === null) return 0;
    const boundary = Math.min(energyWindowStart(before), this.sealedBefore);
    if (!Number.isFinite(boundary) || (this.expiredBefore !== null && boundary <= this.expiredBefore)) return 0;
    this.expiredBefore = boundary;
    let n = 0;
    while (this.finals.length > 0 && this.finals[0] + ENERGY_WINDOW_MS <= boundary) {
      const start = this.finals.shift() as number;
      const last = this.segments.get(start)?.readings.at(-1);
      if (last) this.anchor = fromPair(last);
      this.segments.delete(start);
      n++;
    }
    return n;
  }

  /** Current values of the open windows, oldest first. */
  openRows(): EnergyWindowRow[] {
    return [...this.windows.keys()].sort((a, b) => a - b).map((start) => this.row(start, false));
  }

  /** Start of the oldest open window, if any (when this meter next has something to seal). */
  oldestOpenWindow(): number | undefined {
    let oldest: number | undefined;
    for (const start of this.windows.keys()) if (oldest === undefined || start < oldest) oldest = start;
    return oldest;
  }

  /** Starts of the final windows still kept (restatable), oldest first. */
  get keptFinals(): readonly number[] {
    return this.finals;
  }

  /** Readings held in the meter's own state (the anchor and the open part); segments hold the rest. */
  get heldReadings(): number {
    return this.readings.length + (this.anchor ? 1 : 0);
  }

  /** A reading for a final window: applied like an in-order one, restating every final window it changes. */
  private restate(stored: StoredReading): ReadingOutcome {
    if (this.expiredBefore !== null && stored.ts < this.expiredBefore) {
      return { status: 'beyond_horizon', changed: [], corrections: NO_CORRECTIONS };
    }
    const start = energyWindowStart(stored.ts);
    const edits = new SegmentEdits(this.segments);
    const own = edits.get(start);
    const index = insertionIndex(own.readings, stored.ts);
    if (own.readings[index]?.ts === stored.ts) return DUPLICATE;

    const previous = own.readings[index - 1] ?? this.lastReadingBefore(start);
    const next = own.readings[index] ?? this.firstReadingAfter(start);
    const { retract, add } = corrections(stored, previous, next);
    own.readings.splice(index, 0, stored);
    if (own.readings.length === 1) this.finals.splice(insertionIndexOf(this.finals, start), 0, start);
    const touched = new Set<number>();
    const apply = (c: ReadingContribution, sign: 1 | -1) => {
      const s = energyWindowStart(c.ts);
      if (this.sealedBefore !== null && s < this.sealedBefore) edits.get(s).window.apply(c, sign);
      else this.applyOpen(c, sign, touched);
    };
    for (const c of retract) apply(c, -1);
    for (const c of add) apply(c, 1);

    const finalRows = edits.flush().map(([s, window]) => columnsRow(s, true, window.columns()));
    const openRows = [...touched].sort((a, b) => a - b).map((s) => this.row(s, false));
    return { status: 'applied', changed: [...finalRows, ...openRows], corrections: { retract, add } };
  }

  /** The last reading before the final window `start`: in an earlier kept window, else the anchor. */
  private lastReadingBefore(start: number): StoredReading | undefined {
    const i = insertionIndexOf(this.finals, start);
    const before = this.finals[i - 1];
    if (before === undefined) return this.anchor ?? undefined;
    return fromPair((this.segments.get(before) as FinalSegment).readings.at(-1) as FinalReading);
  }

  /** The first reading after the final window `start`: in a later kept window, else the first open one. */
  private firstReadingAfter(start: number): StoredReading | undefined {
    const i = insertionIndexOf(this.finals, start + 1);
    const after = this.finals[i];
    if (after === undefined) return this.readings[0];
    return fromPair((this.segments.get(after) as FinalSegment).readings[0]);
  }

  private lastFinalReading(): StoredReading | undefined {
    const last = this.finals.at(-1);
    return last === undefined ? (this.anchor ?? undefined) : this.lastReadingBefore(last + 1);
  }

  private applyOpen(c: ReadingContribution, sign: 1 | -1, touched: Set<number>): void {
    const start = energyWindowStart(c.ts);
    let window = this.windows.get(start);
    if (!window) {
      window = EnergyWindow.empty();
      this.windows.set(start, window);
    }
    if (sign === 1) window.add(c);
    else window.retract(c);
    touched.add(start);
  }

  private row(start: number, isFinal: boolean): EnergyWindowRow {
    return windowRow(start, isFinal, this.windows.get(start) ?? EnergyWindow.empty());
  }
}

const DUPLICATE: ReadingOutcome = Object.freeze({ status: 'duplicate', changed: [], corrections: NO_CORRECTIONS });

function windowRow(start: number, isFinal: boolean, window: EnergyWindow): EnergyWindowRow {
  return columnsRow(start, isFinal, window.columns());
}

function columnsRow(start: number, isFinal: boolean, columns: EnergyColumns): EnergyWindowRow {
  return { windowStart: start, windowEnd: start + ENERGY_WINDOW_MS, isFinal, ...columns };
}

/** The contributions a reading inserted between `previous` and `next` changes. */
function corrections(
  stored: StoredReading,
  previous: StoredReading | undefined,
  next: StoredReading | undefined,
): EnergyCorrections {
  return {
    retract: next ? [contributionOf(next, previous)] : [],
    add: [contributionOf(stored, previous), ...(next ? [contributionOf(next, stored)] : [])],
  };
}

/** The final segments one restatement touches, edited as live objects and written back once. */
class SegmentEdits {
  private readonly edits = new Map<number, SegmentEdit>();

  constructor(private readonly segments: FinalSegments) {}

  get(start: number): SegmentEdit {
    let edit = this.edits.get(start);
    if (!edit) {
      const base = this.segments.get(start);
      edit = base
        ? { window: FinalWindow.of(base.columns), readings: base.readings.map(fromPair), base }
        : { window: FinalWindow.empty(), readings: [] };
      this.edits.set(start, edit);
    }
    return edit;
  }

  /** Writes every touched segment back (version and revision unchanged: the publisher sets them). */
  flush(): Array<[start: number, window: FinalWindow]> {
    const starts = [...this.edits.keys()].sort((a, b) => a - b);
    return starts.map((start) => {
      const { window, readings, base } = this.edits.get(start) as SegmentEdit;
      this.segments.set(start, {
        columns: window.columns(),
        readings: readings.map(toPair),
        version: base?.version ?? 0,
        revision: base?.revision ?? 0,
      });
      return [start, window];
    });
  }
}

interface SegmentEdit {
  window: FinalWindow;
  readings: StoredReading[];
  base?: FinalSegment;
}

/** First index whose ts is ≥ `ts` (binary search: readings are kept in ts order). */
function insertionIndex(readings: readonly StoredReading[], ts: number): number {
  let lo = 0;
  let hi = readings.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (readings[mid].ts < ts) lo = mid + 1;
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

function toStored([ts, mwh, powerW]: ReadingTuple): StoredReading {
  return { ts, mwh, powerW };
}

function toTuple(r: StoredReading): ReadingTuple {
  return [r.ts, r.mwh, r.powerW];
}

/** A final window's reading: its power is already in the window's max, and its successors only need its register. */
function fromPair([ts, mwh]: FinalReading): StoredReading {
  return { ts, mwh, powerW: null };
}

function toPair(r: StoredReading): FinalReading {
  return [r.ts, r.mwh];
}

export interface MeterEnergySnapshot {
  readonly sealedBefore: number | null;
  /** The open part (ts ≥ sealedBefore). */
  readonly readings: ReadonlyArray<ReadingTuple>;
  readonly windows: ReadonlyArray<readonly [windowStart: number, window: EnergyWindowSnapshot]>;
  /**
   * Starts of the non-empty final windows kept as segments, as runs `[first start, consecutive windows]` (a meter
   * reporting every window has one run). Absent in snapshots from before restatement.
   */
  readonly finals?: ReadonlyArray<readonly [start: number, windows: number]>;
  readonly anchor?: ReadingTuple | null;
  readonly expiredBefore?: number | null;
}

/**
 * PRODUCT.md: energy = register − previous register; a negative difference is a register restart, whose energy is
 * the reading's own register. The first reading of a meter is its baseline (energy 0).
 */
export function contributionOf(reading: StoredReading, previous: StoredReading | undefined): ReadingContribution {
  const base = { ts: reading.ts, powerW: reading.powerW };
  if (!previous) return { ...base, energyMwh: 0, reset: false };
  const difference = reading.mwh - previous.mwh;
  return difference < 0
    ? { ...base, energyMwh: reading.mwh, reset: true }
    : { ...base, energyMwh: difference, reset: false };
}

function validPower(reading: MeterReading): number | null {
  const { powerW } = reading;
  if (powerW === undefined || powerW === null) return null;
  if (!Number.isFinite(powerW)) {
    throw new EnergyValueError('powerW must be a finite number', { meterId: reading.meterId, ts: reading.ts });
  }
  return powerW;
}

function runsOf(starts: readonly number[]): Array<[start: number, windows: number]> {
  const runs: Array<[number, number]> = [];
  for (const start of starts) {
    const last = runs.at(-1);
    if (last && last[0] + last[1] * ENERGY_WINDOW_MS === start) last[1]++;
    else runs.push([start, 1]);
  }
  return runs;
}

function expandRuns(runs: ReadonlyArray<readonly [start: number, windows: number]>): number[] {
  const starts: number[] = [];
  for (const [start, windows] of runs) for (let i = 0; i < windows; i++) starts.push(start + i * ENERGY_WINDOW_MS);
  return starts;
}

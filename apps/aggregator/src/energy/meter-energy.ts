import { EnergyValueError } from './energy-errors';
import {
  ENERGY_WINDOW_MS,
  type EnergyColumns,
  EnergyWindow,
  type EnergyWindowSnapshot,
  energyWindowStart,
  type ReadingContribution,
} from './energy-window';
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
 *   window of the next reading when it was inserted before one: that reading's energy is re-attributed).
 * - `duplicate`: a reading with the same ts is already known; the first one received is kept.
 * - `late`: its window is already sealed (final); nothing changes. Count it as a late event.
 */
export interface ReadingOutcome {
  readonly status: 'applied' | 'duplicate' | 'late';
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
 * Keeps the meter's readings in ts order from the last reading of a sealed window (the *anchor*, the predecessor
 * of anything still to come) onwards, plus the open windows. A reading's energy depends only on its predecessor,
 * so inserting a reading between two others retracts the successor's contribution and adds it back against the
 * new predecessor: the result is exactly the in-order result, whatever the arrival order within grace.
 */
export class MeterEnergy {
  private readonly readings: StoredReading[];
  private readonly windows: Map<number, EnergyWindow>;
  /** Windows ending at or before this are final; readings before it are late. Null until the first seal. */
  private sealedBefore: number | null;

  constructor(snapshot?: MeterEnergySnapshot) {
    this.readings = snapshot?.readings.map(([ts, mwh, powerW]) => ({ ts, mwh, powerW })) ?? [];
    this.windows = new Map(snapshot?.windows.map(([start, w]) => [start, EnergyWindow.fromSnapshot(w)]) ?? []);
    this.sealedBefore = snapshot?.sealedBefore ?? null;
  }

  snapshot(): MeterEnergySnapshot {
    return {
      sealedBefore: this.sealedBefore,
      readings: this.readings.map((r) => [r.ts, r.mwh, r.powerW]),
      windows: [...this.windows].map(([start, w]) => [start, w.snapshot()]),
    };
  }

  /** Throws EnergyValueError for an unusable register value (before changing anything). */
  ingest(reading: MeterReading): ReadingOutcome {
    const stored: StoredReading = {
      ts: reading.ts,
      mwh: energyWhToMwh(reading.energyWh),
      powerW: validPower(reading),
    };
    if (this.sealedBefore !== null && stored.ts < this.sealedBefore)
      return { status: 'late', changed: [], corrections: NO_CORRECTIONS };
    const index = this.insertionIndex(stored.ts);
    if (this.readings[index]?.ts === stored.ts)
      return { status: 'duplicate', changed: [], corrections: NO_CORRECTIONS };

    const previous = this.readings[index - 1];
    const next = this.readings[index];
    const retract = next ? [contributionOf(next, previous)] : [];
    const add = [contributionOf(stored, previous), ...(next ? [contributionOf(next, stored)] : [])];
    this.readings.splice(index, 0, stored);
    const touched = new Set<number>();
    for (const c of retract) this.applyContribution(c, -1, touched);
    for (const c of add) this.applyContribution(c, 1, touched);

    const changed = [...touched].sort((a, b) => a - b).map((start) => this.row(start, false));
    return { status: 'applied', changed, corrections: { retract, add } };
  }

  /**
   * Closes the windows that end at or before `sealedBefore` (stream time − grace; rounded down to a window
   * boundary, so a window is never half sealed) and returns them as final rows, oldest first. Drops their state
   * and every reading before the boundary except the last one, the anchor of later readings.
   */
  seal(sealedBefore: number): EnergyWindowRow[] {
    const boundary = energyWindowStart(sealedBefore);
    if (this.sealedBefore !== null && boundary <= this.sealedBefore) return [];
    this.sealedBefore = boundary;
    const closing = [...this.windows.keys()].filter((s) => s + ENERGY_WINDOW_MS <= boundary).sort((a, b) => a - b);
    const rows = closing.map((start) => this.row(start, true));
    for (const start of closing) this.windows.delete(start);
    const firstOpen = this.insertionIndex(boundary);
    if (firstOpen > 1) this.readings.splice(0, firstOpen - 1);
    return rows;
  }

  /** Current values of the open windows, oldest first. */
  openRows(): EnergyWindowRow[] {
    return [...this.windows.keys()].sort((a, b) => a - b).map((start) => this.row(start, false));
  }

  /** Readings held in state (the anchor and the unsealed tail); a measure of memory use. */
  get heldReadings(): number {
    return this.readings.length;
  }

  /** First index whose ts is ≥ `ts` (binary search: readings are kept in ts order). */
  private insertionIndex(ts: number): number {
    let lo = 0;
    let hi = this.readings.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.readings[mid].ts < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private applyContribution(c: ReadingContribution, sign: 1 | -1, touched: Set<number>): void {
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
    const window = this.windows.get(start) ?? EnergyWindow.empty();
    return { windowStart: start, windowEnd: start + ENERGY_WINDOW_MS, isFinal, ...window.columns() };
  }
}

export interface MeterEnergySnapshot {
  readonly sealedBefore: number | null;
  readonly readings: ReadonlyArray<readonly [ts: number, mwh: number, powerW: number | null]>;
  readonly windows: ReadonlyArray<readonly [windowStart: number, window: EnergyWindowSnapshot]>;
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

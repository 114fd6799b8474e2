import { countsAfter, type EnergyColumns, type ReadingContribution } from './energy-window';

/** A reading as held in the open part's snapshot: `[ts, register in mWh, powerW]`. */
export type ReadingTuple = readonly [ts: number, mwh: number, powerW: number | null];

/** A reading of a final window: ts and register. Its power needs no keeping (see FinalWindow). */
export type FinalReading = readonly [ts: number, mwh: number];

/**
 * A final window kept restatable: its row's columns, its readings (ts order: the neighbours a late reading
 * needs), and the version and revision its row was last published with (0 before the first publication as final).
 */
export interface FinalSegment {
  readonly columns: EnergyColumns;
  readonly readings: readonly FinalReading[];
  readonly version: number;
  readonly revision: number;
}

/** Where a meter's final segments live (compact text in the pipeline's KeyedStore, a Map in tests). */
export interface FinalSegments {
  get(windowStart: number): FinalSegment | undefined;
  set(windowStart: number, segment: FinalSegment): void;
  delete(windowStart: number): void;
}

/** Segments in a plain Map: one meter's, for tests and tools. */
export class InMemorySegments implements FinalSegments {
  readonly map = new Map<number, FinalSegment>();

  get(windowStart: number): FinalSegment | undefined {
    return this.map.get(windowStart);
  }

  set(windowStart: number, segment: FinalSegment): void {
    this.map.set(windowStart, segment);
  }

  delete(windowStart: number): void {
    this.map.delete(windowStart);
  }
}

/**
 * The accumulator of a final window, smaller than EnergyWindow: no multiset of powers. A restatement only ever
 * adds a reading (its power can raise the max) and re-attributes a successor (retract and add of the same reading
 * in the same window: its power was already counted), so the max never has to go down and stays exact.
 */
export class FinalWindow {
  private constructor(
    private energyMwh: number,
    private readings: number,
    private resets: number,
    private maxPowerW: number | null,
  ) {}

  static of(c: EnergyColumns): FinalWindow {
    return new FinalWindow(c.energyMwh, c.readings, c.resets, c.maxPowerW);
  }

  static empty(): FinalWindow {
    return new FinalWindow(0, 0, 0, null);
  }

  apply(c: ReadingContribution, sign: 1 | -1): void {
    const counts = { energyMwh: this.energyMwh, readings: this.readings, resets: this.resets };
    ({ energyMwh: this.energyMwh, readings: this.readings, resets: this.resets } = countsAfter(counts, c, sign));
    if (sign === 1 && c.powerW !== null) this.maxPowerW = Math.max(this.maxPowerW ?? c.powerW, c.powerW);
  }

  columns(): EnergyColumns {
    return { energyMwh: this.energyMwh, readings: this.readings, maxPowerW: this.maxPowerW, resets: this.resets };
  }
}

/**
 * A segment as compact text (what the checkpoint and the heap hold: one short string instead of nested objects):
 * `version;revision;energyMwh;resets;maxPowerW;dt:dm,dt:dm,…` — dt = ts − window start, dm = register − the
 * previous reading's of the segment (the first against 0). The row's `readings` is the number of readings.
 */
export function encodeSegment(windowStart: number, s: FinalSegment): string {
  let previous = 0;
  const readings = s.readings.map(([ts, mwh]) => {
    const text = `${ts - windowStart}:${mwh - previous}`;
    previous = mwh;
    return text;
  });
  const c = s.columns;
  return `${s.version};${s.revision};${c.energyMwh};${c.resets};${c.maxPowerW ?? ''};${readings.join(',')}`;
}

export function decodeSegment(windowStart: number, text: string): FinalSegment {
  const [version, revision, energyMwh, resets, maxPowerW, list] = text.split(';');
  let mwh = 0;
  const readings = list.split(',').map((pair): FinalReading => {
    const colon = pair.indexOf(':');
    mwh += Number(pair.slice(colon + 1));
    return [windowStart + Number(pair.slice(0, colon)), mwh];
  });
  return {
    columns: {
      energyMwh: Number(energyMwh),
      readings: readings.length,
      resets: Number(resets),
      maxPowerW: maxPowerW === '' ? null : Number(maxPowerW),
    },
    readings,
    version: Number(version),
    revision: Number(revision),
  };
}

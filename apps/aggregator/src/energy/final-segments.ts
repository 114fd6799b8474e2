import type { EnergyWindowSnapshot } from './energy-window';

/** A reading as held in state and in snapshots: `[ts, register in mWh, powerW]`. */
export type ReadingTuple = readonly [ts: number, mwh: number, powerW: number | null];

/**
 * A final window kept restatable: its accumulator, its readings (ts order: the neighbours a late reading needs),
 * and the version and revision its row was last published with (0 before the first publication as final).
 * Plain JSON; written as a whole, never mutated in place (a checkpoint may still hold the previous one).
 */
export interface FinalSegment {
  readonly window: EnergyWindowSnapshot;
  readonly readings: readonly ReadingTuple[];
  readonly version: number;
  readonly revision: number;
}

/** Where a meter's final segments live (a KeyedStore entry per segment in the pipeline, a Map in tests). */
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

import { EnergyValueError } from './energy-errors';

/** A reading as a meter's state holds it: event time and register in integer mWh (its power is in its window). */
export type StoredReading = readonly [ts: number, mwh: number];

/**
 * A meter's readings older than its tail are kept in buckets of this much event time: one store entry per meter and
 * bucket, so a checkpoint writes only the buckets a late reading (or the tail moving on) changed.
 */
export const READING_BUCKET_MS = 6 * 3_600_000;

export function readingBucketStart(ts: number): number {
  return Math.floor(ts / READING_BUCKET_MS) * READING_BUCKET_MS;
}

/** Where a meter's bucketed readings live (compact text in the pipeline's KeyedStore, a Map in tests). */
export interface ReadingBuckets {
  get(bucketStart: number): readonly StoredReading[] | undefined;
  set(bucketStart: number, readings: readonly StoredReading[]): void;
  delete(bucketStart: number): void;
}

/** Buckets in a plain Map: one meter's, for tests and tools. */
export class InMemoryBuckets implements ReadingBuckets {
  readonly map = new Map<number, readonly StoredReading[]>();

  get(bucketStart: number): readonly StoredReading[] | undefined {
    return this.map.get(bucketStart);
  }

  set(bucketStart: number, readings: readonly StoredReading[]): void {
    this.map.set(bucketStart, readings);
  }

  delete(bucketStart: number): void {
    this.map.delete(bucketStart);
  }
}

/**
 * A bucket as compact text (what the checkpoint and the heap hold: one short string instead of nested arrays):
 * `dt:dm,dt:dm,…` — dt = ts − bucket start, dm = register − the previous reading's of the bucket (the first against 0).
 */
export function encodeBucket(bucketStart: number, readings: readonly StoredReading[]): string {
  let previous = 0;
  return readings
    .map(([ts, mwh]) => {
      const text = `${ts - bucketStart}:${mwh - previous}`;
      previous = mwh;
      return text;
    })
    .join(',');
}

/** Throws EnergyValueError for text encodeBucket did not write (a damaged or foreign checkpoint row). */
export function decodeBucket(bucketStart: number, text: string): StoredReading[] {
  let mwh = 0;
  return text.split(',').map((pair): StoredReading => {
    const colon = pair.indexOf(':');
    const dt = Number(pair.slice(0, colon));
    mwh += Number(pair.slice(colon + 1));
    if (colon < 0 || !Number.isSafeInteger(dt) || !Number.isSafeInteger(mwh)) {
      throw new EnergyValueError('reading bucket text is not dt:dm pairs', { bucketStart, pair });
    }
    return [bucketStart + dt, mwh];
  });
}

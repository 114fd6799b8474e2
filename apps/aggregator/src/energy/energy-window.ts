import { EnergyValueError } from './energy-errors';

/** Meter energy uses 15-minute windows, half-open [start, start + 15 min), aligned to the epoch. */
export const ENERGY_WINDOW_MS = 15 * 60_000;

export function energyWindowStart(ts: number): number {
  return Math.floor(ts / ENERGY_WINDOW_MS) * ENERGY_WINDOW_MS;
}

/**
 * What one reading adds to the window of its ts: its energy (difference to the previous reading, or its own
 * register after a reset, 0 for the baseline), one reading, its power.
 */
export interface ReadingContribution {
  readonly ts: number;
  readonly energyMwh: number;
  readonly reset: boolean;
  readonly powerW: number | null;
}

/** The metric columns of a `meter_energy_15m` row (camelCase of energy_mwh, readings, max_power_w, resets). */
export interface EnergyColumns {
  readonly energyMwh: number;
  readonly readings: number;
  /** Null when no reading of the window carried powerW. */
  readonly maxPowerW: number | null;
  readonly resets: number;
}

/** A window's energy, reading and reset counts. */
export interface EnergyCounts {
  readonly energyMwh: number;
  readonly readings: number;
  readonly resets: number;
}

/**
 * The counts after adding (`sign` 1) or retracting (−1) a contribution; throws EnergyValueError, changing nothing,
 * when a retraction takes away what was never added.
 */
export function countsAfter(counts: EnergyCounts, c: ReadingContribution, sign: 1 | -1): EnergyCounts {
  const readings = counts.readings + sign;
  const resets = counts.resets + (c.reset ? sign : 0);
  if (readings < 0 || resets < 0) {
    throw new EnergyValueError('retracted a reading that was never added to this window', {
      ts: c.ts,
      energyMwh: c.energyMwh,
    });
  }
  return { energyMwh: counts.energyMwh + sign * c.energyMwh, readings, resets };
}

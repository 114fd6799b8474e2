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

/**
 * The accumulator of one (tenant, meter, window), with add and retract. A correction re-attributes a reading's
 * energy (add/retract of its contribution); max power keeps the multiset of powers so retraction stays exact.
 */
export class EnergyWindow {
  private constructor(
    private energyMwh: number,
    private readings: number,
    private resets: number,
    private readonly powers: Map<number, number>,
  ) {}

  static empty(): EnergyWindow {
    return new EnergyWindow(0, 0, 0, new Map());
  }

  static fromSnapshot(s: EnergyWindowSnapshot): EnergyWindow {
    return new EnergyWindow(s.energyMwh, s.readings, s.resets, new Map(s.powers));
  }

  snapshot(): EnergyWindowSnapshot {
    return { energyMwh: this.energyMwh, readings: this.readings, resets: this.resets, powers: [...this.powers] };
  }

  add(c: ReadingContribution): void {
    this.apply(c, 1);
  }

  retract(c: ReadingContribution): void {
    this.apply(c, -1);
  }

  columns(): EnergyColumns {
    let maxPowerW: number | null = null;
    for (const p of this.powers.keys()) if (maxPowerW === null || p > maxPowerW) maxPowerW = p;
    return { energyMwh: this.energyMwh, readings: this.readings, maxPowerW, resets: this.resets };
  }

  private apply(c: ReadingContribution, sign: 1 | -1): void {
    const powerCount = c.powerW === null ? 0 : (this.powers.get(c.powerW) ?? 0) + sign;
    const counts = { energyMwh: this.energyMwh, readings: this.readings, resets: this.resets };
    ({
      energyMwh: this.energyMwh,
      readings: this.readings,
      resets: this.resets,
    } = countsAfter(counts, c, sign, powerCount < 0));
    if (c.powerW === null) return;
    if (powerCount === 0) this.powers.delete(c.powerW);
    else this.powers.set(c.powerW, powerCount);
  }
}

export interface EnergyWindowSnapshot {
  readonly energyMwh: number;
  readonly readings: number;
  readonly resets: number;
  readonly powers: ReadonlyArray<readonly [powerW: number, count: number]>;
}

/** A window's energy, reading and reset counts. */
export interface EnergyCounts {
  readonly energyMwh: number;
  readonly readings: number;
  readonly resets: number;
}

/**
 * The counts after adding (`sign` 1) or retracting (−1) a contribution; throws EnergyValueError, changing nothing,
 * when a retraction takes away what was never added (also when the caller's own check, `invalid`, says so).
 */
export function countsAfter(counts: EnergyCounts, c: ReadingContribution, sign: 1 | -1, invalid = false): EnergyCounts {
  const readings = counts.readings + sign;
  const resets = counts.resets + (c.reset ? sign : 0);
  if (readings < 0 || resets < 0 || invalid) {
    throw new EnergyValueError('retracted a reading that was never added to this window', {
      ts: c.ts,
      energyMwh: c.energyMwh,
    });
  }
  return { energyMwh: counts.energyMwh + sign * c.energyMwh, readings, resets };
}

import { countsAfter, type EnergyColumns, type ReadingContribution } from './energy-window';

/**
 * The 15-minute window's accumulator for the streams engine (mergeable, retractable), folding the corrections of
 * `MeterEnergy.ingest` keyed by (tenant, meter) by `contribution.ts`. The accumulator is the row's columns.
 *
 * A retraction leaves the max power as it is: MeterEnergy retracts a reading's contribution only to add the same
 * reading back to the same window (its energy re-attributed to a new predecessor), so the max never has to go down
 * and no multiset of powers is kept — a closed window kept for restatement stays four numbers.
 */
export const energyWindowAggregator = {
  name: 'meter_energy_15m',
  initial: (): EnergyColumns => columns(0, 0, 0, null),
  add: (acc: EnergyColumns, c: ReadingContribution): EnergyColumns => {
    const n = countsAfter(acc, c, 1);
    const max = c.powerW === null || (acc.maxPowerW !== null && acc.maxPowerW >= c.powerW) ? acc.maxPowerW : c.powerW;
    return columns(n.energyMwh, n.readings, n.resets, max);
  },
  retract: (acc: EnergyColumns, c: ReadingContribution): EnergyColumns => {
    const n = countsAfter(acc, c, -1);
    return columns(n.energyMwh, n.readings, n.resets, acc.maxPowerW);
  },
  merge: (a: EnergyColumns, b: EnergyColumns): EnergyColumns =>
    columns(
      a.energyMwh + b.energyMwh,
      a.readings + b.readings,
      a.resets + b.resets,
      a.maxPowerW === null ? b.maxPowerW : b.maxPowerW === null ? a.maxPowerW : Math.max(a.maxPowerW, b.maxPowerW),
    ),
  result: (acc: EnergyColumns): EnergyColumns => acc,
};

/**
 * One literal of one shape: the engine keeps an accumulator per closed window for the whole horizon, and an object
 * built by spreading another takes several times the heap (measured: ≈ 370 against ≈ 150 bytes of heap a closed window).
 */
function columns(energyMwh: number, readings: number, resets: number, maxPowerW: number | null): EnergyColumns {
  return { energyMwh, readings, resets, maxPowerW };
}

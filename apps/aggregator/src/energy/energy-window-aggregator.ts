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
  initial: (): EnergyColumns => ({ energyMwh: 0, readings: 0, maxPowerW: null, resets: 0 }),
  add: (acc: EnergyColumns, c: ReadingContribution): EnergyColumns => ({
    ...countsAfter(acc, c, 1),
    maxPowerW: c.powerW === null || (acc.maxPowerW !== null && acc.maxPowerW >= c.powerW) ? acc.maxPowerW : c.powerW,
  }),
  retract: (acc: EnergyColumns, c: ReadingContribution): EnergyColumns => ({
    ...countsAfter(acc, c, -1),
    maxPowerW: acc.maxPowerW,
  }),
  merge: (a: EnergyColumns, b: EnergyColumns): EnergyColumns => ({
    energyMwh: a.energyMwh + b.energyMwh,
    readings: a.readings + b.readings,
    resets: a.resets + b.resets,
    maxPowerW:
      a.maxPowerW === null ? b.maxPowerW : b.maxPowerW === null ? a.maxPowerW : Math.max(a.maxPowerW, b.maxPowerW),
  }),
  result: (acc: EnergyColumns): EnergyColumns => acc,
};

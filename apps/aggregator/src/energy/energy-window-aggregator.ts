import { countsAfter, type EnergyColumns, type ReadingContribution } from './energy-window';

/**
 * A window's accumulator: `[energyMwh, readings, resets, maxPowerW]`. The engine keeps one per closed window for the
 * whole horizon and writes it into a checkpoint row of its own, so it is four numbers in a tuple: ≈ 16 characters of
 * JSON instead of ≈ 60 for the named columns.
 */
export type EnergyAccumulator = readonly [
  energyMwh: number,
  readings: number,
  resets: number,
  maxPowerW: number | null,
];

/**
 * The 15-minute window's accumulator for the streams engine (mergeable, retractable), folding the corrections of
 * `MeterEnergy.ingest` keyed by (tenant, meter) by `contribution.ts`; its result is the row's columns.
 *
 * A retraction leaves the max power as it is: MeterEnergy retracts a reading's contribution only to add the same
 * reading back to the same window (its energy re-attributed to a new predecessor), so the max never has to go down
 * and no multiset of powers is kept.
 */
export const energyWindowAggregator = {
  name: 'meter_energy_15m',
  initial: (): EnergyAccumulator => [0, 0, 0, null],
  add: (acc: EnergyAccumulator, c: ReadingContribution): EnergyAccumulator => {
    const n = countsAfter(counts(acc), c, 1);
    const max = acc[3];
    return [n.energyMwh, n.readings, n.resets, c.powerW === null || (max !== null && max >= c.powerW) ? max : c.powerW];
  },
  retract: (acc: EnergyAccumulator, c: ReadingContribution): EnergyAccumulator => {
    const n = countsAfter(counts(acc), c, -1);
    return [n.energyMwh, n.readings, n.resets, acc[3]];
  },
  merge: (a: EnergyAccumulator, b: EnergyAccumulator): EnergyAccumulator => [
    a[0] + b[0],
    a[1] + b[1],
    a[2] + b[2],
    a[3] === null ? b[3] : b[3] === null ? a[3] : Math.max(a[3], b[3]),
  ],
  result: ([energyMwh, readings, resets, maxPowerW]: EnergyAccumulator): EnergyColumns => ({
    energyMwh,
    readings,
    resets,
    maxPowerW,
  }),
};

function counts([energyMwh, readings, resets]: EnergyAccumulator) {
  return { energyMwh, readings, resets };
}

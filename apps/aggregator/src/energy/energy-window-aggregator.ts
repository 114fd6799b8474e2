import { type EnergyColumns, EnergyWindow, type EnergyWindowSnapshot, type ReadingContribution } from './energy-window';

/**
 * The energy window accumulator in the shape of the streams engine's mergeable, retractable aggregator, for an
 * engine that windows the `corrections` of `MeterEnergy.ingest` (keyed by (tenant, meter), 15-minute tumbling
 * windows by `contribution.ts`) instead of keeping the windows inside MeterEnergy.
 */
export const energyWindowAggregator = {
  name: 'meter_energy_15m',
  initial: (): EnergyWindowSnapshot => EnergyWindow.empty().snapshot(),
  add: (acc: EnergyWindowSnapshot, c: ReadingContribution): EnergyWindowSnapshot => update(acc, (w) => w.add(c)),
  retract: (acc: EnergyWindowSnapshot, c: ReadingContribution): EnergyWindowSnapshot =>
    update(acc, (w) => w.retract(c)),
  merge: (a: EnergyWindowSnapshot, b: EnergyWindowSnapshot): EnergyWindowSnapshot => {
    const powers = new Map(a.powers);
    for (const [p, n] of b.powers) powers.set(p, (powers.get(p) ?? 0) + n);
    return {
      energyMwh: a.energyMwh + b.energyMwh,
      readings: a.readings + b.readings,
      resets: a.resets + b.resets,
      powers: [...powers],
    };
  },
  result: (acc: EnergyWindowSnapshot): EnergyColumns => EnergyWindow.fromSnapshot(acc).columns(),
};

function update(acc: EnergyWindowSnapshot, change: (window: EnergyWindow) => void): EnergyWindowSnapshot {
  const window = EnergyWindow.fromSnapshot(acc);
  change(window);
  return window.snapshot();
}

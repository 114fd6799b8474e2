import type { Aggregator } from '@switchboard/streams/core/processing';
import fc from 'fast-check';
import { type EnergyColumns, energyWindowStart, type ReadingContribution } from './energy-window';
import { type EnergyAccumulator, energyWindowAggregator } from './energy-window-aggregator';
import { MeterEnergy, type MeterReading } from './meter-energy';

// The corrections MeterEnergy emits for readings in any arrival order, folded with the engine's retractable
// aggregator, give exactly the windows of the same readings in ts order (max power included, though a retraction
// never lowers it); and any split of the added contributions, folded apart and merged, equals one fold.
const fitsTheEngine: Aggregator<ReadingContribution, EnergyAccumulator, EnergyColumns> = energyWindowAggregator;
const T = Date.UTC(2026, 10, 25, 0, 0, 0);

const arrivalArb = fc
  .uniqueArray(fc.integer({ min: 0, max: 4 * 3_600_000 }), { minLength: 1, maxLength: 40 })
  .chain((offsets) =>
    fc.tuple(
      fc.shuffledSubarray(offsets, { minLength: offsets.length }),
      fc.array(fc.integer({ min: 0, max: 3_000_000 }), { minLength: offsets.length, maxLength: offsets.length }),
    ),
  )
  .map(([arrival, registers]) =>
    arrival.map(
      (offset, i): MeterReading => ({
        meterId: 'm1',
        ts: T + offset,
        energyWh: registers[i] / 1000,
        powerW: registers[i] % 5_000,
      }),
    ),
  );

type Windows = Map<number, EnergyAccumulator>;

function apply(into: Windows, c: ReadingContribution, retract: boolean): void {
  const start = energyWindowStart(c.ts);
  const acc = into.get(start) ?? fitsTheEngine.initial();
  into.set(start, retract ? energyWindowAggregator.retract(acc, c) : fitsTheEngine.add(acc, c));
}

/** Every reading's corrections folded into its windows; `adds` also gets only the added ones. */
function fold(readings: readonly MeterReading[], adds?: (c: ReadingContribution, i: number) => void): Windows {
  const meter = new MeterEnergy();
  const folded: Windows = new Map();
  readings.forEach((reading, i) => {
    const { corrections } = meter.ingest(reading);
    for (const c of corrections.retract) apply(folded, c, true);
    for (const c of corrections.add) apply(folded, c, false);
    for (const c of corrections.add) adds?.(c, i);
  });
  return folded;
}

const sorted = (w: Windows) =>
  [...w].sort(([a], [b]) => a - b).map(([start, acc]) => [start, fitsTheEngine.result?.(acc)]);

describe('energy corrections fold to the same windows', () => {
  it('in any arrival order equal the in-order windows, and merge equals one fold', () => {
    fc.assert(
      fc.property(arrivalArb, (readings) => {
        const together: Windows = new Map();
        const evens: Windows = new Map();
        const odds: Windows = new Map();
        const folded = fold(readings, (c, i) => {
          apply(together, c, false);
          apply(i % 2 === 0 ? evens : odds, c, false);
        });
        const inOrder = fold([...readings].sort((a, b) => a.ts - b.ts));
        expect(sorted(folded)).toEqual(sorted(inOrder));
        for (const [start, all] of together) {
          const merged = fitsTheEngine.merge(
            evens.get(start) ?? fitsTheEngine.initial(),
            odds.get(start) ?? fitsTheEngine.initial(),
          );
          expect(fitsTheEngine.result?.(merged)).toEqual(fitsTheEngine.result?.(all));
        }
      }),
      { numRuns: 200 },
    );
  });
});

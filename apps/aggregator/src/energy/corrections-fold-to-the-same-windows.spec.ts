import type { Aggregator } from '@switchboard/streams/core/processing';
import fc from 'fast-check';
import {
  type EnergyColumns,
  type EnergyWindowSnapshot,
  energyWindowStart,
  type ReadingContribution,
} from './energy-window';
import { energyWindowAggregator } from './energy-window-aggregator';
import { MeterEnergy, type MeterReading } from './meter-energy';

// The corrections MeterEnergy emits, folded by a windowing engine with the retractable aggregator (and merged in
// any split), give exactly the windows MeterEnergy keeps itself.
const fitsTheEngine: Aggregator<ReadingContribution, EnergyWindowSnapshot, EnergyColumns> = energyWindowAggregator;
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

describe('energy corrections fold to the same windows', () => {
  it('add/retract through the aggregator equals the windows of MeterEnergy, and merge equals one fold', () => {
    fc.assert(
      fc.property(arrivalArb, (readings) => {
        const meter = new MeterEnergy();
        const folded = new Map<number, EnergyWindowSnapshot>();
        const adds = new Map<number, EnergyWindowSnapshot>();
        const evens = new Map<number, EnergyWindowSnapshot>();
        const odds = new Map<number, EnergyWindowSnapshot>();
        readings.forEach((reading, i) => {
          const { corrections } = meter.ingest(reading);
          const apply = (into: Map<number, EnergyWindowSnapshot>, c: ReadingContribution, retract: boolean) => {
            const start = energyWindowStart(c.ts);
            const acc = into.get(start) ?? fitsTheEngine.initial();
            into.set(start, retract ? energyWindowAggregator.retract(acc, c) : fitsTheEngine.add(acc, c));
          };
          for (const c of corrections.retract) apply(folded, c, true);
          for (const c of corrections.add) apply(folded, c, false);
          // Merge: any split of the added contributions, folded apart and merged, equals folding them together.
          for (const c of corrections.add) apply(adds, c, false);
          for (const c of corrections.add) apply(i % 2 === 0 ? evens : odds, c, false);
        });
        const rows = meter.openRows();
        expect(
          [...folded].sort(([a], [b]) => a - b).map(([start, acc]) => ({ start, ...fitsTheEngine.result?.(acc) })),
        ).toEqual(
          rows.map((r) => ({
            start: r.windowStart,
            energyMwh: r.energyMwh,
            readings: r.readings,
            maxPowerW: r.maxPowerW,
            resets: r.resets,
          })),
        );
        for (const [start, together] of adds) {
          const merged = fitsTheEngine.merge(
            evens.get(start) ?? fitsTheEngine.initial(),
            odds.get(start) ?? fitsTheEngine.initial(),
          );
          expect(fitsTheEngine.result?.(merged)).toEqual(fitsTheEngine.result?.(together));
        }
      }),
      { numRuns: 200 },
    );
  });
});

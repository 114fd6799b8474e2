import fc from 'fast-check';
import { type EnergyWindowRow, MeterEnergy, type MeterReading } from './meter-energy';

// Property: readings delayed by at most the grace period, with windows sealed as stream time advances (as the
// engine does), produce exactly the final rows of in-order processing; nothing restates, and once the final windows
// expire the state keeps only the anchor.
const T = Date.UTC(2026, 10, 25, 0, 0, 0);
const GRACE_MS = 10 * 60_000;

interface Arrival {
  readonly reading: MeterReading;
  readonly arrivesAt: number;
}

const arrivalsArb = fc
  .uniqueArray(fc.integer({ min: 0, max: 6 * 3_600_000 }), { minLength: 1, maxLength: 80 })
  .chain((offsets) =>
    fc.tuple(
      fc.constant([...offsets].sort((a, b) => a - b)),
      fc.array(fc.integer({ min: 0, max: 400_000 }), { minLength: offsets.length, maxLength: offsets.length }),
      fc.array(fc.integer({ min: 0, max: GRACE_MS }), { minLength: offsets.length, maxLength: offsets.length }),
    ),
  )
  .map(([offsets, steps, delays]) => {
    let register = 0;
    return offsets.map((offset, i): Arrival => {
      register += steps[i];
      const reading = { meterId: 'm1', ts: T + offset, energyWh: register / 1000, powerW: steps[i] % 7_000 };
      return { reading, arrivesAt: reading.ts + delays[i] };
    });
  });

/** Feeds readings in the given order, sealing at stream time − grace after each, then seals everything. */
function finalRows(readings: readonly MeterReading[]): { rows: EnergyWindowRow[]; heldAtEnd: number } {
  const meter = new MeterEnergy();
  const rows: EnergyWindowRow[] = [];
  let streamTime = Number.NEGATIVE_INFINITY;
  for (const reading of readings) {
    const outcome = meter.ingest(reading);
    expect(outcome.status).toBe('applied');
    expect(outcome.changed.some((r) => r.isFinal)).toBe(false);
    streamTime = Math.max(streamTime, reading.ts);
    rows.push(...meter.seal(streamTime - GRACE_MS));
  }
  rows.push(...meter.seal(streamTime + 24 * 3_600_000));
  meter.expire(streamTime + 24 * 3_600_000);
  expect(meter.keptFinals).toEqual([]);
  return { rows, heldAtEnd: meter.heldReadings };
}

describe('energy: arrival within grace gives the in-order final rows', () => {
  it('holds for random delays up to the grace period', () => {
    fc.assert(
      fc.property(arrivalsArb, (arrivals) => {
        const inOrder = finalRows(arrivals.map((a) => a.reading));
        const delayed = finalRows(
          [...arrivals].sort((a, b) => a.arrivesAt - b.arrivesAt || a.reading.ts - b.reading.ts).map((a) => a.reading),
        );
        expect(delayed.rows).toEqual(inOrder.rows);
        expect(inOrder.rows.every((r) => r.isFinal)).toBe(true);
        expect([inOrder.heldAtEnd, delayed.heldAtEnd]).toEqual([1, 1]); // only the anchor survives expiry
        // Σ final windows = last − first register (no resets here)
        const total = inOrder.rows.reduce((s, r) => s + r.energyMwh, 0);
        const registerMwh = (a: Arrival) => Math.round(Number(a.reading.energyWh) * 1000);
        expect(total).toBe(registerMwh(arrivals[arrivals.length - 1]) - registerMwh(arrivals[0]));
      }),
      { numRuns: 200 },
    );
  });
});

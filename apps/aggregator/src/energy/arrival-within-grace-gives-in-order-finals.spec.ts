import fc from 'fast-check';
import type { EnergyWindowRow, MeterReading } from './meter-energy';
import { MeterWindows } from './meter-windows.spec-support';

// Property: readings delayed by at most the grace period, with windows closed as the meter's time advances (the
// engine's key-level closing), produce exactly the final rows of in-order processing; nothing restates, and once
// the horizon passes every reading the meter keeps only the anchor.
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

/** Feeds readings in the given order (windows close at the meter's time − grace), then closes everything. */
function finalRows(readings: readonly MeterReading[]): { rows: EnergyWindowRow[]; heldAtEnd: number } {
  const meter = new MeterWindows({ graceMs: GRACE_MS });
  const rows: EnergyWindowRow[] = [];
  let streamTime = Number.NEGATIVE_INFINITY;
  for (const reading of readings) {
    const outcome = meter.ingest(reading);
    expect(outcome.status).toBe('applied');
    expect(outcome.changed.some((r) => r.isFinal)).toBe(false);
    rows.push(...outcome.closed);
    streamTime = Math.max(streamTime, reading.ts);
  }
  rows.push(...meter.closeAll());
  meter.meter.expire(streamTime + 24 * 3_600_000);
  return { rows, heldAtEnd: meter.meter.heldReadings };
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

import fc from 'fast-check';
import type { MeterReading } from './meter-energy';
import { MeterWindows } from './meter-windows.spec-support';

// Properties over random meters: any arrival order gives the windows of ts order, and for a register without
// resets the windows add up to last register − first register, to the mWh.
const T = Date.UTC(2026, 10, 25, 0, 0, 0);

/** Distinct ts (up to 8 h), register steps in mWh (0–5 kWh), optionally with register restarts, and power. */
const readingsArb = (withResets: boolean) =>
  fc
    .uniqueArray(fc.integer({ min: 0, max: 8 * 3_600_000 }), { minLength: 1, maxLength: 60 })
    .chain((offsets) =>
      fc.tuple(
        fc.constant([...offsets].sort((a, b) => a - b)),
        fc.array(fc.integer({ min: 0, max: 5_000_000 }), { minLength: offsets.length, maxLength: offsets.length }),
        fc.array(withResets ? fc.boolean() : fc.constant(false), {
          minLength: offsets.length,
          maxLength: offsets.length,
        }),
        fc.array(fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: undefined }), {
          minLength: offsets.length,
          maxLength: offsets.length,
        }),
        fc.nat(100_000_000_000),
      ),
    )
    .map(([offsets, steps, resets, powers, firstMwh]) => {
      let register = firstMwh;
      return offsets.map((offset, i): MeterReading => {
        register = i === 0 ? register : resets[i] ? steps[i] : register + steps[i];
        // energyWh as a JSON number with up to 3 decimals, as integrators send it
        return { meterId: 'm1', ts: T + offset, energyWh: register / 1000, powerW: powers[i] };
      });
    });

function windowsOf(readings: readonly MeterReading[]) {
  const meter = new MeterWindows();
  for (const reading of readings) expect(meter.ingest(reading).status).toBe('applied');
  return meter.openRows();
}

describe('energy: sum of windows equals the register difference, in any arrival order', () => {
  it('Σ energy_mwh = last − first register (mWh) without resets, and arrival order does not matter', () => {
    fc.assert(
      fc.property(
        readingsArb(false).chain((readings) =>
          fc.tuple(fc.constant(readings), fc.shuffledSubarray(readings, { minLength: readings.length })),
        ),
        ([sorted, arrival]) => {
          const inOrder = windowsOf(sorted);
          expect(windowsOf(arrival)).toEqual(inOrder);
          const total = inOrder.reduce((sum, w) => sum + w.energyMwh, 0);
          const first = Math.round(Number(sorted[0].energyWh) * 1000);
          const last = Math.round(Number(sorted[sorted.length - 1].energyWh) * 1000);
          expect(total).toBe(last - first);
          expect(inOrder.reduce((n, w) => n + w.readings, 0)).toBe(sorted.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('with register restarts, any arrival order still gives the in-order windows', () => {
    fc.assert(
      fc.property(
        readingsArb(true).chain((readings) =>
          fc.tuple(fc.constant(readings), fc.shuffledSubarray(readings, { minLength: readings.length })),
        ),
        ([sorted, arrival]) => {
          expect(windowsOf(arrival)).toEqual(windowsOf(sorted));
        },
      ),
      { numRuns: 300 },
    );
  });
});

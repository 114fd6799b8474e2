import { MeterWindows } from './meter-windows.spec-support';

// A register that goes down restarted (meter exchange, rollover): that reading's energy is its own register,
// `resets` counts it, and the energy lands in the window of that (later) reading.
const T = Date.UTC(2026, 10, 25, 0, 0, 0);
const Q = 15 * 60_000;

describe('a register reset', () => {
  it('counts the new register as the energy of the reading after the restart', () => {
    const meter = new MeterWindows();
    meter.ingest({ meterId: 'm1', ts: T + 60_000, energyWh: 99_990.5 }); // baseline
    meter.ingest({ meterId: 'm1', ts: T + 5 * 60_000, energyWh: 99_999.25, powerW: 1_800 });
    meter.ingest({ meterId: 'm1', ts: T + Q + 60_000, energyWh: 3.125, powerW: 2_400 }); // restarted at 0
    meter.ingest({ meterId: 'm1', ts: T + Q + 6 * 60_000, energyWh: 4 });

    expect(meter.openRows()).toEqual([
      { windowStart: T, windowEnd: T + Q, isFinal: false, energyMwh: 8_750, readings: 2, maxPowerW: 1_800, resets: 0 },
      {
        windowStart: T + Q,
        windowEnd: T + 2 * Q,
        isFinal: false,
        energyMwh: 3_125 + 875,
        readings: 2,
        maxPowerW: 2_400,
        resets: 1,
      },
    ]);
  });

  it('treats an unchanged register as zero energy, not a reset', () => {
    const meter = new MeterWindows();
    meter.ingest({ meterId: 'm1', ts: T, energyWh: 10 });
    const { changed } = meter.ingest({ meterId: 'm1', ts: T + 60_000, energyWh: 10 });
    expect(changed).toEqual([expect.objectContaining({ energyMwh: 0, readings: 2, resets: 0, maxPowerW: null })]);
  });
});

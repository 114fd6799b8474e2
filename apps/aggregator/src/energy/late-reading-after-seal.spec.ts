import { MeterEnergy } from './meter-energy';

// Once a window is sealed (final), a reading for it is late and changes nothing; the last sealed reading stays
// as the anchor, so the next open window still gets the right difference, also after a snapshot round trip.
const T = Date.UTC(2026, 10, 25, 0, 0, 0);
const Q = 15 * 60_000;

describe('a late reading after its window is sealed', () => {
  it('is refused as late, and the anchor still measures the next reading', () => {
    const meter = new MeterEnergy();
    meter.ingest({ meterId: 'm1', ts: T + 60_000, energyWh: 100 });
    meter.ingest({ meterId: 'm1', ts: T + 10 * 60_000, energyWh: 101 });
    meter.ingest({ meterId: 'm1', ts: T + Q + 60_000, energyWh: 102 });

    // stream time − grace = T + Q + 7 min: rounds down to T + Q, sealing the first window only
    expect(meter.seal(T + Q + 7 * 60_000)).toEqual([
      { windowStart: T, windowEnd: T + Q, isFinal: true, energyMwh: 1_000, readings: 2, maxPowerW: null, resets: 0 },
    ]);
    expect(meter.heldReadings).toBe(2);

    const restored = new MeterEnergy(JSON.parse(JSON.stringify(meter.snapshot())));
    expect(restored.ingest({ meterId: 'm1', ts: T + 12 * 60_000, energyWh: 100.5 })).toEqual({
      status: 'late',
      changed: [],
      corrections: { retract: [], add: [] },
    });
    // inside the open window, before its only reading: re-attributes against the anchor (101 Wh at T + 10 min)
    const { changed } = restored.ingest({ meterId: 'm1', ts: T + Q, energyWh: 101.25 });
    expect(changed.map((w) => [w.windowStart, w.energyMwh, w.readings])).toEqual([[T + Q, 1_000, 2]]);
  });
});

import { InMemorySegments } from './final-segments';
import { MeterEnergy } from './meter-energy';

// Final windows stay restatable until they expire (the restatement horizon). An expired window's segment is
// dropped, its last reading kept as the anchor; a reading for it is refused as beyond the horizon and changes
// nothing, while the anchor still measures the next reading — also after a snapshot round trip.
const T = Date.UTC(2026, 10, 25, 0, 0, 0);
const Q = 15 * 60_000;

describe('a reading beyond the restatement horizon', () => {
  it('is refused, and the anchor still measures the next reading', () => {
    const segments = new InMemorySegments();
    const meter = new MeterEnergy(undefined, segments);
    meter.ingest({ meterId: 'm1', ts: T + 60_000, energyWh: 100 });
    meter.ingest({ meterId: 'm1', ts: T + 10 * 60_000, energyWh: 101 });
    meter.ingest({ meterId: 'm1', ts: T + 2 * Q + 60_000, energyWh: 102 });
    meter.seal(T + 3 * Q);
    expect(meter.expire(T + Q + 7 * 60_000)).toBe(1); // rounds down to T + Q: the first window expires
    expect([...segments.map.keys()]).toEqual([T + 2 * Q]);

    const restored = new MeterEnergy(JSON.parse(JSON.stringify(meter.snapshot())), segments);
    expect(restored.ingest({ meterId: 'm1', ts: T + 12 * 60_000, energyWh: 100.5 })).toEqual({
      status: 'beyond_horizon',
      changed: [],
      corrections: { retract: [], add: [] },
    });
    // an empty final window after the horizon: measured against the anchor (101 Wh at T + 10 min), and its
    // successor re-attributed
    const { changed } = restored.ingest({ meterId: 'm1', ts: T + Q, energyWh: 101.25 });
    expect(changed.map((w) => [w.windowStart - T, w.isFinal, w.energyMwh, w.readings])).toEqual([
      [Q, true, 250, 1],
      [2 * Q, true, 750, 1],
    ]);
  });
});

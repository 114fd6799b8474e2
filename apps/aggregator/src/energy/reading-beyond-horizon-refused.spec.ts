import { MeterEnergy } from './meter-energy';
import { InMemoryBuckets } from './reading-buckets';

// A reading before the horizon (what `expire` was last given, rounded down to a window boundary) is refused as
// beyond it and changes nothing; the readings of buckets past the horizon are forgotten, the last one kept as the
// anchor, which still measures the next reading — also after a snapshot round trip.
const T = Date.UTC(2026, 10, 25, 0, 0, 0);
const Q = 15 * 60_000;
const H = 3_600_000;

describe('a reading beyond the restatement horizon', () => {
  it('is refused, and the anchor still measures the next reading', () => {
    const buckets = new InMemoryBuckets();
    const meter = new MeterEnergy(undefined, buckets);
    meter.ingest({ meterId: 'm1', ts: T + 60_000, energyWh: 100 });
    meter.ingest({ meterId: 'm1', ts: T + 10 * 60_000, energyWh: 101 });
    meter.ingest({ meterId: 'm1', ts: T + 6 * H + 2 * Q + 60_000, energyWh: 102 });
    expect([...buckets.map.keys()]).toEqual([T]); // the two older readings left the tail for their 6-hour bucket
    expect(meter.expire(T + 6 * H + Q + 7 * 60_000)).toBe(true); // rounds down to 06:15: the first bucket goes
    expect([...buckets.map.keys()]).toEqual([]);

    const restored = new MeterEnergy(JSON.parse(JSON.stringify(meter.snapshot())), buckets);
    expect(restored.ingest({ meterId: 'm1', ts: T + 6 * H + 12 * 60_000, energyWh: 100.5 })).toEqual({
      status: 'beyond_horizon',
      corrections: { retract: [], add: [] },
    });
    // a reading after the horizon: measured against the anchor (101 Wh at 00:10), and its successor re-attributed
    const { corrections } = restored.ingest({ meterId: 'm1', ts: T + 6 * H + Q, energyWh: 101.25 });
    expect(corrections.retract.map((c) => [c.ts - T - 6 * H, c.energyMwh])).toEqual([[2 * Q + 60_000, 1_000]]);
    expect(corrections.add.map((c) => [c.ts - T - 6 * H, c.energyMwh])).toEqual([
      [Q, 250],
      [2 * Q + 60_000, 750],
    ]);
  });
});

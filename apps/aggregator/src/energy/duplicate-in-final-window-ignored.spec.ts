import { MeterWindows } from './meter-windows.spec-support';

// A head-end system re-sending yesterday's reads changes nothing: a reading with the ts of one already in a final
// window is a duplicate, whatever its values, and no final window is restated.
const T = Date.UTC(2026, 10, 25, 0, 0, 0);
const Q = 15 * 60_000;

describe('a duplicate reading inside a final window', () => {
  it('is ignored without restating anything', () => {
    const meter = new MeterWindows({ graceMs: 0 });
    for (let i = 0; i < 16; i++) meter.ingest({ meterId: 'm1', ts: T + i * 5 * 60_000, energyWh: 10 * i });
    expect(meter.finals()).toEqual([T, T + Q, T + 2 * Q, T + 3 * Q, T + 4 * Q]); // 01:15's reading closes 01:00
    const before = JSON.stringify([meter.meter.snapshot(), [...meter.buckets.map]]);

    for (let i = 0; i < 6; i++) {
      const outcome = meter.ingest({ meterId: 'm1', ts: T + i * 5 * 60_000, energyWh: 999 });
      expect([outcome.status, outcome.changed]).toEqual(['duplicate', []]);
    }
    expect(JSON.stringify([meter.meter.snapshot(), [...meter.buckets.map]])).toBe(before);
  });
});

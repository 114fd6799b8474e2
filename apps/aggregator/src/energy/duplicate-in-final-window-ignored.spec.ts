import { InMemorySegments } from './final-segments';
import { MeterEnergy } from './meter-energy';

// A head-end system re-sending yesterday's reads changes nothing: a reading with the ts of one already in a final
// window is a duplicate, whatever its values, and no final window is restated.
const T = Date.UTC(2026, 10, 25, 0, 0, 0);
const Q = 15 * 60_000;

describe('a duplicate reading inside a final window', () => {
  it('is ignored without restating anything', () => {
    const segments = new InMemorySegments();
    const meter = new MeterEnergy(undefined, segments);
    for (let i = 0; i < 8; i++) meter.ingest({ meterId: 'm1', ts: T + i * 5 * 60_000, energyWh: 10 * i });
    meter.seal(T + 2 * Q);
    const before = JSON.stringify([...segments.map]);

    for (let i = 0; i < 6; i++) {
      expect(meter.ingest({ meterId: 'm1', ts: T + i * 5 * 60_000, energyWh: 999 }).status).toBe('duplicate');
    }
    expect(JSON.stringify([...segments.map])).toBe(before);
  });
});

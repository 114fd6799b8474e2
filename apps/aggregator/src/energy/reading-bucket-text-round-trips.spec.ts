import { EnergyValueError } from './energy-errors';
import { decodeBucket, encodeBucket, type StoredReading } from './reading-buckets';

const T = Date.UTC(2026, 10, 25, 0, 0, 0);

describe('a reading bucket as text', () => {
  it('round-trips readings, also across a register reset', () => {
    const readings: StoredReading[] = [
      [T + 60_000, 100_000],
      [T + 900_000, 104_500],
      [T + 3_600_000, 12],
    ];
    const text = encodeBucket(T, readings);
    expect(text).toBe('60000:100000,900000:4500,3600000:-104488');
    expect(decodeBucket(T, text)).toEqual(readings);
  });

  it('refuses text it did not write', () => {
    expect(() => decodeBucket(T, '60000;1')).toThrow(EnergyValueError);
  });
});

import { Rng } from '../../../apps/cli/src/simulate/rng';
import { distinctMoments } from './seeded-random';

describe('seeded chaos moments', () => {
  it('repeats the same moments for the same seed, and others for another', () => {
    const draw = (seed: number) => distinctMoments(new Rng(seed), 5, 10, 90);
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('draws distinct sorted moments within the range', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const m = distinctMoments(new Rng(seed), 5, 10, 20);
      expect(new Set(m).size).toBe(5);
      expect(m).toEqual([...m].sort((a, b) => a - b));
      expect(Math.min(...m)).toBeGreaterThanOrEqual(10);
      expect(Math.max(...m)).toBeLessThan(20);
    }
  });

  it('refuses more moments than the range holds', () => {
    expect(() => distinctMoments(new Rng(1), 4, 0, 3)).toThrow(RangeError);
  });
});

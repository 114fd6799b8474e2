import type { Rng } from '../../../apps/cli/src/simulate/rng';

/** `count` distinct integers in [from, to), sorted, drawn with the seeded `rng` (the same moments for the same seed). */
export function distinctMoments(rng: Rng, count: number, from: number, to: number): number[] {
  const span = to - from;
  if (count > span) throw new RangeError(`cannot draw ${count} distinct moments from ${span}`);
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(rng.int(from, to - 1));
  return [...chosen].sort((a, b) => a - b);
}

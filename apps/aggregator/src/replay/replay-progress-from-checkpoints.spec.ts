import type { InputPartition } from './replay-plan';
import { caughtUp, checkpointKey, inputProgress } from './replay-progress';

const p = (partition: number, start: number, target: number): InputPartition => ({
  group: 'agg.energy',
  topic: 'm',
  partition,
  start: BigInt(start),
  target: BigInt(target),
});
const at = (...entries: Array<[number, number]>) =>
  new Map(entries.map(([partition, next]) => [checkpointKey('agg.energy', 'm', partition), BigInt(next)]));

describe('replay progress from the checkpoint offsets', () => {
  const inputs = [p(0, 0, 100), p(1, 50, 150), p(2, 7, 7)];

  it('counts checkpointed records from each start; a partition never checkpointed counts as at its start', () => {
    expect(inputProgress(inputs, at([0, 30]))).toEqual({ replayed: 30n, total: 200n, fraction: 0.15, complete: false });
  });

  it('caps a partition at its target (events that came in during the replay are not part of the total)', () => {
    expect(inputProgress(inputs, at([0, 100], [1, 400]))).toEqual({
      replayed: 200n,
      total: 200n,
      fraction: 1,
      complete: true,
    });
  });

  it('is complete only when every partition reached its target; an empty partition is complete at once', () => {
    expect(inputProgress(inputs, at([0, 100], [1, 149])).complete).toBe(false);
    expect(inputProgress([p(0, 7, 7)], new Map())).toEqual({ replayed: 0n, total: 0n, fraction: 1, complete: true });
  });

  it('a follower has caught up when every partition with records is checkpointed at its end', () => {
    const ends = new Map([
      [0, 10n],
      [1, 0n],
    ]);
    expect(caughtUp('agg.energy', 'm', ends, at([0, 9]))).toBe(false);
    expect(caughtUp('agg.energy', 'm', ends, at([0, 10]))).toBe(true);
    expect(caughtUp('agg.energy', 'm', ends, new Map())).toBe(false);
  });
});

import type { InputPartition } from './replay-plan';

/** Checkpointed next offsets, by `checkpointKey(group, topic, partition)`. */
export type CheckpointOffsets = ReadonlyMap<string, bigint>;

export function checkpointKey(group: string, topic: string, partition: number): string {
  return `${group}\u0000${topic}\u0000${partition}`;
}

export interface InputProgress {
  /** Records of the inputs behind the checkpoints: Σ (min(checkpoint, target) − start). */
  replayed: bigint;
  /** Σ (target − start). */
  total: bigint;
  /** replayed / total, 1 when there is nothing to replay. */
  fraction: number;
  /** Every input partition is checkpointed at or past its target. */
  complete: boolean;
}

/**
 * How far the replay is through its inputs, from the checkpoint offsets (pure). A partition without a
 * checkpoint counts as at its start; one checkpointed past its target (events that arrived during the
 * replay) counts as at its target.
 */
export function inputProgress(inputs: readonly InputPartition[], at: CheckpointOffsets): InputProgress {
  let replayed = 0n;
  let total = 0n;
  let complete = true;
  for (const p of inputs) {
    const span = p.target > p.start ? p.target - p.start : 0n;
    const next = at.get(checkpointKey(p.group, p.topic, p.partition)) ?? p.start;
    const done = next <= p.start ? 0n : next - p.start;
    replayed += done < span ? done : span;
    total += span;
    if (next < p.target) complete = false;
  }
  const fraction = total === 0n ? 1 : Number((replayed * 1_000_000n) / total) / 1_000_000;
  return { replayed, total, fraction, complete };
}

/** The group has checkpointed every partition of its input up to the given ends (a missing row is offset 0). */
export function caughtUp(
  group: string,
  topic: string,
  ends: ReadonlyMap<number, bigint>,
  at: CheckpointOffsets,
): boolean {
  for (const [partition, end] of ends) if ((at.get(checkpointKey(group, topic, partition)) ?? 0n) < end) return false;
  return true;
}

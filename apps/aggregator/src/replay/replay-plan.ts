import { type AggregatorGroup, type GroupScope, groupId } from './aggregator-groups';

/** First and end offset of each partition of a topic; a topic that does not exist has no entry. */
export type OffsetRanges = ReadonlyMap<string, ReadonlyMap<number, { start: bigint; end: bigint }>>;

/** One events-topic partition a group reads in the replay: from its first record up to the end captured before the reset. */
export interface InputPartition {
  group: string;
  topic: string;
  partition: number;
  start: bigint;
  target: bigint;
}

/** A checkpoint row the replay writes before it starts: the group begins at `offset` (its input's end). */
export interface SeedOffset {
  group: string;
  topic: string;
  partition: number;
  offset: bigint;
}

/** A seeded group that runs in the replay: done only when it has read its input up to the end. */
export interface Follower {
  group: string;
  topic: string;
}

/** The partitions of the events topics the replay reads, and their targets (pure: ranges are read by the caller). */
export function planInputs(
  groups: readonly AggregatorGroup[],
  scope: GroupScope,
  ranges: OffsetRanges,
): InputPartition[] {
  return partitionsOf(groups, scope, ranges, false).map(({ range, ...p }) => ({
    ...p,
    start: range.start,
    target: range.end,
  }));
}

/** The records the replay reads: Σ (target − start). */
export function recordsToReplay(inputs: readonly InputPartition[]): bigint {
  return inputs.reduce((n, p) => n + (p.target > p.start ? p.target - p.start : 0n), 0n);
}

/** The checkpoint rows that start the seeded groups at their input's current end (every partition of it). */
export function seedOffsets(groups: readonly AggregatorGroup[], scope: GroupScope, ranges: OffsetRanges): SeedOffset[] {
  return partitionsOf(groups, scope, ranges, true).map(({ range, ...p }) => ({ ...p, offset: range.end }));
}

/** Every partition of the inputs of the groups that are (or are not) seeded at the end, by group and partition. */
function partitionsOf(groups: readonly AggregatorGroup[], scope: GroupScope, ranges: OffsetRanges, seeded: boolean) {
  return groups
    .filter((g) => g.seedAtEnd === seeded)
    .flatMap((g) => {
      const topic = g.input(scope);
      return [...(ranges.get(topic) ?? [])].map(([partition, range]) => ({
        group: groupId(scope, g),
        topic,
        partition,
        range,
      }));
    })
    .sort((a, b) => (a.group === b.group ? a.partition - b.partition : a.group < b.group ? -1 : 1));
}

/** Seeded groups whose pipeline the replay runs (`running`: the runner's pipeline names). */
export function followers(
  groups: readonly AggregatorGroup[],
  scope: GroupScope,
  running: ReadonlySet<string>,
): Follower[] {
  return groups
    .filter((g) => g.seedAtEnd && running.has(g.pipeline))
    .map((g) => ({ group: groupId(scope, g), topic: g.input(scope) }));
}

/** The topics whose offsets a replay reads: the events topics (targets) or the seeded inputs. */
export function inputTopics(groups: readonly AggregatorGroup[], scope: GroupScope, seeded: boolean): string[] {
  return [...new Set(groups.filter((g) => g.seedAtEnd === seeded).map((g) => g.input(scope)))];
}

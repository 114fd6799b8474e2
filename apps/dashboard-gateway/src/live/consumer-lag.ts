/**
 * Consumer lag per partition, pure (no SQL, no Kafka): the aggregator's checkpoints (Postgres is the source of truth
 * of its groups' positions: the committed Kafka offsets only serve lag tools) set against the topics' end offsets.
 */

/** One row of `streams_offsets` (offsets as text, as pg returns bigint). */
export interface CheckpointRow {
  consumerGroup: string;
  topic: string;
  partition: number;
  /** The next offset to read; null while the partition was acquired but never checkpointed. */
  nextOffset: string | null;
  ownerId: string;
  ownerEpoch: string;
  updatedAt: Date;
}

/** Where a partition's log starts and ends now (Kafka's low and high watermarks). */
export interface PartitionRange {
  partition: number;
  low: string;
  high: string;
}

/** What the lag channel shows for one (group, topic, partition); column-like names, as the other live rows. */
export interface ConsumerLagFigures {
  consumer_group: string;
  topic: string;
  partition: number;
  /** The checkpointed next offset; null: no checkpoint yet (the group reads the partition from its start). */
  next_offset: number | null;
  /** The partition's end offset; null when the topic could not be read (deleted, or Kafka unreachable for it). */
  end_offset: number | null;
  /** end − next (end − the log start without a checkpoint); null when the end is unknown. */
  lag: number | null;
  /** The member that owns the partition (last acquired it); null when none ever did. */
  owner_id: string | null;
  owner_epoch: number | null;
  /** When the owner last acquired or checkpointed it (ISO); null when never. */
  updated_at: string | null;
}

export const CONSUMER_LAG_KIND = 'consumer_lag';

/** A row id: group and topic names cannot hold `/` (Kafka allows only A–Z a–z 0–9 . _ -). */
export function consumerLagId(group: string, topic: string, partition: number): string {
  return `${group}/${topic}/${partition}`;
}

/**
 * One row per partition of every topic a group has checkpoint rows for: partitions Kafka has and the group never
 * acquired are there too (they are lag as well), and checkpoint rows of partitions Kafka no longer lists stay with an
 * unknown end. `ends` lacks a topic that could not be read. Offsets become numbers: they stay far below 2^53.
 * Sorted by group, topic, partition.
 */
export function consumerLagRows(
  checkpoints: readonly CheckpointRow[],
  ends: ReadonlyMap<string, readonly PartitionRange[]>,
): ConsumerLagFigures[] {
  const byGroupTopic = new Map<string, { group: string; topic: string; rows: Map<number, CheckpointRow> }>();
  for (const c of checkpoints) {
    const key = `${c.consumerGroup}\n${c.topic}`;
    let entry = byGroupTopic.get(key);
    if (!entry) {
      entry = { group: c.consumerGroup, topic: c.topic, rows: new Map() };
      byGroupTopic.set(key, entry);
    }
    entry.rows.set(c.partition, c);
  }
  const out: ConsumerLagFigures[] = [];
  for (const { group, topic, rows } of byGroupTopic.values()) {
    const ranges = new Map((ends.get(topic) ?? []).map((r) => [r.partition, r]));
    const partitions = new Set([...rows.keys(), ...ranges.keys()]);
    for (const partition of partitions)
      out.push(figures(group, topic, partition, rows.get(partition), ranges.get(partition)));
  }
  return out.sort(
    (a, b) => compare(a.consumer_group, b.consumer_group) || compare(a.topic, b.topic) || a.partition - b.partition,
  );
}

function figures(
  group: string,
  topic: string,
  partition: number,
  checkpoint: CheckpointRow | undefined,
  range: PartitionRange | undefined,
): ConsumerLagFigures {
  const next = checkpoint?.nextOffset ?? null;
  const end = range ? Number(range.high) : null;
  const from = next ?? range?.low;
  return {
    consumer_group: group,
    topic,
    partition,
    next_offset: next === null ? null : Number(next),
    end_offset: end,
    lag: end === null || from === undefined ? null : end - Number(from),
    owner_id: checkpoint?.ownerId ?? null,
    owner_epoch: checkpoint ? Number(checkpoint.ownerEpoch) : null,
    updated_at: checkpoint ? checkpoint.updatedAt.toISOString() : null,
  };
}

/** Whether two rows show the same figures (a new version only when something an operator sees changed). */
export function sameFigures(a: ConsumerLagFigures, b: Readonly<Record<string, unknown>>): boolean {
  return (Object.keys(a) as (keyof ConsumerLagFigures)[]).every((k) => a[k] === b[k]);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

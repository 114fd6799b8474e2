import type { Pool } from 'pg';

/** Next offset at the end of each partition of a topic. */
export type EndOffsets = (topic: string) => Promise<ReadonlyMap<number, bigint>>;

/** Whether `group` has checkpointed (in Postgres) every partition in `marks` up to its offset there. */
export async function checkpointedTo(
  pool: Pool,
  group: string,
  topic: string,
  marks: ReadonlyMap<number, bigint>,
  tablePrefix = 'streams_',
): Promise<boolean> {
  const stored = await pool.query<{ partition: number; next_offset: string | null }>(
    `SELECT partition, next_offset FROM ${tablePrefix}offsets WHERE consumer_group = $1 AND topic = $2`,
    [group, topic],
  );
  const at = new Map(stored.rows.map((r) => [r.partition, BigInt(r.next_offset ?? '0')]));
  for (const [partition, mark] of marks) if ((at.get(partition) ?? 0n) < mark) return false;
  return true;
}

/**
 * A check, called until it says true, that the calls pipeline's queue stage (group `<prefix>.queues`) has read
 * everything stage 1 had to say once `upstreamDone` held.
 *
 * "Checkpointed to the hop topic's end now" is not that: while its input is quiet, stage 1 announces its
 * advancing stream time into the hop at every tick (time markers, for as long as it runs), so the hop's end keeps
 * moving and a check against the end of the moment races those markers — it can miss for minutes when the two
 * stages' timers keep the same phase. So the end is taken once, when stage 1 has checkpointed its whole input
 * (`upstreamDone`) and the relay has published its hop records; the queue stage has caught up once its
 * checkpoints pass that mark.
 */
export function queueStageCaughtUp(
  pool: Pool,
  groupPrefix: string,
  endOffsets: EndOffsets,
  upstreamDone: () => Promise<boolean>,
): () => Promise<boolean> {
  const hop = `${groupPrefix}.calls.by-queue`;
  let mark: ReadonlyMap<number, bigint> | undefined;
  return async () => {
    if (!mark) {
      if (!(await upstreamDone())) return false;
      const unsent = await pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM streams_outbox WHERE topic = $1 AND sent_at IS NULL',
        [hop],
      );
      if (unsent.rows[0].n > 0) return false;
      mark = await endOffsets(hop);
    }
    return checkpointedTo(pool, `${groupPrefix}.queues`, hop, mark);
  };
}

import { streamsTables } from '@switchboard/streams';
import type { Pool } from 'pg';
import { type CheckpointOffsets, checkpointKey } from './replay-progress';
import { AGGREGATE_TABLES, type AggregateTable } from './reset';

/** What a replay reads from Postgres while it runs: checkpoint offsets, unsent outbox rows, row counts. */
export class CheckpointReader {
  private readonly tables;

  constructor(
    private readonly pool: Pool,
    tablePrefix: string,
  ) {
    this.tables = streamsTables(tablePrefix);
  }

  /** The next offsets checkpointed by the groups `<groupPrefix>.*`. */
  async offsets(groupPrefix: string): Promise<CheckpointOffsets> {
    const r = await this.pool.query<{ consumer_group: string; topic: string; partition: number; next_offset: string }>(
      `SELECT consumer_group, topic, partition, next_offset FROM ${this.tables.offsets}
       WHERE starts_with(consumer_group, $1) AND next_offset IS NOT NULL`,
      [`${groupPrefix}.`],
    );
    return new Map(r.rows.map((x) => [checkpointKey(x.consumer_group, x.topic, x.partition), BigInt(x.next_offset)]));
  }

  /** The newest outbox row's id (0 when empty): "everything committed so far" for `unsentUpTo`. */
  async outboxMark(): Promise<bigint> {
    const r = await this.pool.query<{ id: string }>(
      `SELECT coalesce(max(id), 0)::text AS id FROM ${this.tables.outbox}`,
    );
    return BigInt(r.rows[0].id);
  }

  /** Outbox rows up to `mark` that are committed but not yet published by the relay. */
  async unsentUpTo(mark: bigint): Promise<number> {
    const r = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${this.tables.outbox} WHERE sent_at IS NULL AND id <= $1`,
      [String(mark)],
    );
    return r.rows[0].n;
  }

  /** Rows per aggregate table. */
  async rowCounts(): Promise<Record<AggregateTable, number>> {
    const r = await this.pool.query<{ t: AggregateTable; n: number }>(
      AGGREGATE_TABLES.map((t) => `SELECT '${t}' AS t, count(*)::int AS n FROM ${t}`).join(' UNION ALL '),
    );
    return Object.fromEntries(r.rows.map((x) => [x.t, x.n])) as Record<AggregateTable, number>;
  }
}

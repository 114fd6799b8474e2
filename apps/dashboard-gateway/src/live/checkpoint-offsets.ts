import { streamsTables } from '@switchboard/streams';
import type { Pool } from 'pg';
import type { CheckpointRow } from './consumer-lag';

/**
 * Reads the checkpoint rows (`<tablePrefix>offsets`) of the consumer groups `<groupPrefix>.*`: where the aggregator
 * is in each partition of its inputs, and who owns it. The prefix match is `starts_with`, not LIKE, so `_` and `.`
 * in a prefix mean themselves.
 */
export class CheckpointOffsets {
  private readonly table: string;

  constructor(
    private readonly pool: Pool,
    private readonly groupPrefix: string,
    tablePrefix: string,
  ) {
    this.table = streamsTables(tablePrefix).offsets;
  }

  async read(limit: number): Promise<CheckpointRow[]> {
    const { rows } = await this.pool.query<{
      consumer_group: string;
      topic: string;
      partition: number;
      next_offset: string | null;
      owner_id: string;
      owner_epoch: string;
      updated_at: Date;
    }>(
      `SELECT consumer_group, topic, partition, next_offset, owner_id, owner_epoch, updated_at FROM ${this.table}
       WHERE starts_with(consumer_group, $1) ORDER BY consumer_group, topic, partition LIMIT $2`,
      [`${this.groupPrefix}.`, limit],
    );
    return rows.map((r) => ({
      consumerGroup: r.consumer_group,
      topic: r.topic,
      partition: r.partition,
      nextOffset: r.next_offset,
      ownerId: r.owner_id,
      ownerEpoch: r.owner_epoch,
      updatedAt: r.updated_at,
    }));
  }
}

import { streamsTables } from '@switchboard/streams';
import type { Pool } from 'pg';
import type { SeedOffset } from './replay-plan';

/** The owner of seeded rows: epoch 0, so the first member that acquires the partition gets epoch 1. */
export const SEED_OWNER = 'switchboard-replay';

/**
 * Writes the seeded groups' checkpoint offsets (CheckpointStore's offsets table: next_offset = the input's end,
 * owner_epoch 0), so on assignment they seek there instead of reading the old run's records.
 */
export async function seedCheckpoints(pool: Pool, tablePrefix: string, seeds: readonly SeedOffset[]): Promise<void> {
  if (seeds.length === 0) return;
  const t = streamsTables(tablePrefix);
  await pool.query(
    `INSERT INTO ${t.offsets} (consumer_group, topic, partition, next_offset, owner_id, owner_epoch, updated_at)
     SELECT u.consumer_group, u.topic, u.partition, u.next_offset, $5, 0, now()
     FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[]) AS u(consumer_group, topic, partition, next_offset)`,
    [
      seeds.map((s) => s.group),
      seeds.map((s) => s.topic),
      seeds.map((s) => s.partition),
      seeds.map((s) => String(s.offset)),
      SEED_OWNER,
    ],
  );
}

import { type StreamingClient, streamsTables } from '@switchboard/streams';
import type { Pool } from 'pg';
import { ReplayError } from './replay-errors';

/** The aggregate tables a replay empties and rebuilds: everything the aggregator's pipelines write. */
export const AGGREGATE_TABLES = [
  'queue_stats_1m',
  'meter_energy_15m',
  'meters',
  'queues',
  'agent_status',
  'alerts',
  'data_quality_events',
] as const;

export type AggregateTable = (typeof AGGREGATE_TABLES)[number];

/**
 * In ONE transaction: empties the aggregate tables, deletes the checkpoint rows (offsets, state) of every
 * group `<groupPrefix>.*`, and empties the outbox. The outbox has no group column; it holds this database's
 * aggregator output (update events, hop records, dead letters), and an old run's hop record published during
 * the replay would be counted twice, so all of it goes. Either everything is deleted or nothing.
 */
export async function resetTables(pool: Pool, tablePrefix: string, groupPrefix: string): Promise<void> {
  const t = streamsTables(tablePrefix);
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    try {
      await client.query(`TRUNCATE ${AGGREGATE_TABLES.join(', ')}`);
      // starts_with, not LIKE: '_' in a prefix is a LIKE wildcard.
      for (const table of [t.offsets, t.state, t.stateEntries])
        await client.query(`DELETE FROM ${table} WHERE starts_with(consumer_group, $1)`, [`${groupPrefix}.`]);
      await client.query(`DELETE FROM ${t.outbox}`);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw new ReplayError(`could not empty the aggregate tables, nothing was deleted: ${(err as Error).message}`, {
        groupPrefix,
        tablePrefix,
      });
    }
  } finally {
    client.release(broken);
  }
}

/** Deletes the Kafka consumer groups (their committed offsets serve only lag tools; Postgres holds the truth). */
export async function deleteKafkaGroups(client: StreamingClient, groupIds: readonly string[]): Promise<void> {
  try {
    await client.deleteConsumerGroups(groupIds);
  } catch (err) {
    throw new ReplayError(
      `the tables were emptied but the Kafka consumer groups could not be deleted (did an aggregator start?): ${(err as Error).message}; stop every aggregator and run the replay again`,
      { groups: groupIds.join(', ') },
    );
  }
}

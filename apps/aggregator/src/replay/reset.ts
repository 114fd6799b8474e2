import { type StreamingClient, streamsTables } from '@switchboard/streams';
import type { Pool, PoolClient } from 'pg';
import type { ScopeTopics } from './aggregator-groups';
import { ReplayError, ReplayRefusedError } from './replay-errors';

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

/** What a reset deletes besides the aggregate tables: the scope's checkpoints and outbox rows. */
export interface ResetScope {
  groupPrefix: string;
  /** scopeTopics(): the checkpoint rows of `<groupPrefix>.*` on `inputs`, the outbox rows on `outbox`. */
  topics: ScopeTopics;
}

/**
 * In ONE transaction: empties the aggregate tables, deletes the checkpoint rows (offsets, state) of the groups
 * `<groupPrefix>.*` on the scope's input topics, and the outbox rows on the topics the scope writes (update events,
 * alerts, hop records, dead letters: an old run's hop record published during the replay would be counted twice).
 * Outbox rows of other topics stay. Either everything is deleted or nothing.
 */
export async function resetTables(pool: Pool, tablePrefix: string, scope: ResetScope): Promise<void> {
  const { groupPrefix, topics } = scope;
  const t = streamsTables(tablePrefix);
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    try {
      await refuseOtherDeployments(client, t.offsets, scope);
      await client.query(`TRUNCATE ${AGGREGATE_TABLES.join(', ')}`);
      // starts_with, not LIKE: '_' in a prefix is a LIKE wildcard.
      for (const table of [t.offsets, t.state, t.stateEntries])
        await client.query(`DELETE FROM ${table} WHERE starts_with(consumer_group, $1) AND topic = ANY($2)`, [
          `${groupPrefix}.`,
          topics.inputs,
        ]);
      await client.query(`DELETE FROM ${t.outbox} WHERE topic = ANY($1)`, [topics.outbox]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      if (err instanceof ReplayRefusedError) throw err;
      throw new ReplayError(`could not empty the aggregate tables, nothing was deleted: ${(err as Error).message}`, {
        groupPrefix,
        tablePrefix,
      });
    }
  } finally {
    client.release(broken);
  }
}

/**
 * The aggregate tables hold every tenant of the database and have no group or namespace column: a replay empties
 * them all and rebuilds only what its scope reads. Checkpoints of other groups, or of its groups on other topics
 * (the same prefix in another namespace), mean another aggregator deployment writes here, and its rows would be
 * lost: refused, naming them. Locks the offsets table first, so no such checkpoint appears between this look and
 * the TRUNCATE.
 */
async function refuseOtherDeployments(client: PoolClient, offsets: string, scope: ResetScope): Promise<void> {
  const { groupPrefix, topics } = scope;
  await client.query(`LOCK TABLE ${offsets} IN SHARE ROW EXCLUSIVE MODE`);
  const { rows } = await client.query<{ consumer_group: string; topic: string }>(
    `SELECT DISTINCT consumer_group, topic FROM ${offsets}
     WHERE NOT (starts_with(consumer_group, $1) AND topic = ANY($2)) ORDER BY 1, 2 LIMIT 6`,
    [`${groupPrefix}.`, topics.inputs],
  );
  if (rows.length === 0) return;
  const others = rows.map((r) => `${r.consumer_group} on ${r.topic}`);
  throw new ReplayRefusedError(
    `this database also holds the checkpoints of ${others.slice(0, 5).join(', ')}${others.length > 5 ? ', …' : ''}, which are not "${groupPrefix}.*" on this replay's topics: another aggregator deployment writes here, and a replay empties every tenant's aggregate tables, theirs too. Give each deployment a database of its own, or replay with its group prefix and namespace; nothing was changed`,
    { groupPrefix, otherGroups: others.join(', ') },
  );
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

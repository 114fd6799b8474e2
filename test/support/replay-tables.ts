import type { StreamingClient } from '@switchboard/streams';
import type { Pool } from 'pg';
import { checkpointedTo, queueStageCaughtUp } from './drain';

/** A window row's numbers (joined by '|') and whether it is final, by `<tenant>/<entity>@<window start ms>`. */
export type WindowRows = Map<string, { numbers: string; isFinal: boolean }>;

/**
 * What the replay spec compares between the live run and the replay (versions left out: a replay restarts them).
 * Rows are in key order, so a difference shows as the rows that differ rather than as a reordering of every row.
 */
export interface AggregateSnapshot {
  energy: WindowRows;
  queueStats: WindowRows;
  /** `<tenant>/<agent>` → `status@since ms` */
  agents: Map<string, string>;
  meters: Map<string, string>;
  queues: Map<string, string>;
  /** `kind|entity_type|entity_id|event_ts`, sorted (ids and recorded_at differ between runs). */
  dataQuality: string[];
}

async function windows(pool: Pool, sql: string): Promise<WindowRows> {
  const r = await pool.query(sql);
  return new Map(
    r.rows.map((x) => {
      const { k, is_final, ...numbers } = x;
      return [k, { numbers: Object.values(numbers).map(String).join('|'), isFinal: is_final }];
    }),
  );
}

async function pairs(pool: Pool, sql: string): Promise<Map<string, string>> {
  return new Map((await pool.query<{ k: string; v: string }>(sql)).rows.map((x) => [x.k, x.v]));
}

const WS = '(extract(epoch FROM window_start) * 1000)::bigint';

export async function snapshotAggregates(pool: Pool): Promise<AggregateSnapshot> {
  return {
    energy: await windows(
      pool,
      `SELECT tenant || '/' || meter_id || '@' || ${WS} AS k, energy_mwh, readings, max_power_w, resets, is_final
       FROM meter_energy_15m ORDER BY k`,
    ),
    queueStats: await windows(
      pool,
      `SELECT tenant || '/' || queue || '@' || ${WS} AS k, offered, answered, abandoned, answered_in_sla, abandoned_short,
         answered_wait_ms_sum, wait_ms_sum, max_wait_ms, talk_ms_sum, talk_count, is_final
       FROM queue_stats_1m ORDER BY k`,
    ),
    agents: await pairs(
      pool,
      `SELECT tenant || '/' || agent_id AS k, status || '@' || (extract(epoch FROM since) * 1000)::bigint AS v
       FROM agent_status ORDER BY k`,
    ),
    meters: await pairs(
      pool,
      `SELECT tenant || '/' || meter_id AS k, concat_ws('|', name, site, timezone) AS v FROM meters ORDER BY k`,
    ),
    queues: await pairs(
      pool,
      `SELECT tenant || '/' || queue AS k, concat_ws('|', name, sla_seconds) AS v FROM queues ORDER BY k`,
    ),
    dataQuality: (
      await pool.query<{ v: string }>(
        `SELECT concat_ws('|', kind, entity_type, entity_id, (extract(epoch FROM event_ts) * 1000)::bigint) AS v
         FROM data_quality_events ORDER BY v`,
      )
    ).rows.map((x) => x.v),
  };
}

/**
 * A check, called until it says true, that the live aggregator of `groupPrefix` has checkpointed (in Postgres)
 * every partition of the events topics up to their end, published its outbox, and its queue stage has read the hop
 * topic past where it ended then (see queueStageCaughtUp).
 */
export function liveDrain(
  pool: Pool,
  client: StreamingClient,
  groupPrefix: string,
  inputs: Record<string, string>,
): () => Promise<boolean> {
  const inputsDone = async () => {
    for (const [group, topic] of Object.entries(inputs))
      if (!(await checkpointedTo(pool, `${groupPrefix}.${group}`, topic, await client.endOffsets(topic)))) return false;
    const unsent = await pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM streams_outbox WHERE sent_at IS NULL',
    );
    return unsent.rows[0].n === 0;
  };
  return queueStageCaughtUp(pool, groupPrefix, (t) => client.endOffsets(t), inputsDone);
}

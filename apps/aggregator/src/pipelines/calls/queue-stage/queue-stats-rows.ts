import { parseStreamId } from '@switchboard/domain';
import type { WindowRow } from '@switchboard/streams';
import type { PoolClient } from 'pg';
import { QUEUE_STATS_SQL_COLUMNS, type QueueStatsColumns } from '../../../calls';

/** A `queue_stats_1m` row with its identity, as committed and as sent on metrics.updates. */
export interface QueueStatsRecord {
  readonly tenant: string;
  readonly queue: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly columns: QueueStatsColumns;
  readonly isFinal: boolean;
  readonly version: number;
  /** Restatements of the final row so far (0 until a late fact changed it after it was final). */
  readonly revision: number;
  /** This emission is a restatement (its `revision` grew): its update event says so. */
  readonly restated: boolean;
}

/** The newest emission of each row (an engine row's key is `<tenant>/<queue>`), oldest window first. */
export function latestQueueStats(rows: readonly WindowRow<QueueStatsColumns>[]): QueueStatsRecord[] {
  const latest = new Map<string, WindowRow<QueueStatsColumns>>();
  for (const r of rows) {
    const id = `${r.key}\u0000${r.windowStart}`;
    const seen = latest.get(id);
    if (!seen || seen.version < r.version) latest.set(id, r);
  }
  return [...latest.values()].map((r) => {
    const { tenant, entityId } = parseStreamId(r.key);
    return {
      tenant,
      queue: entityId,
      windowStart: r.windowStart,
      windowEnd: r.windowEnd,
      columns: r.value,
      isFinal: r.final,
      version: r.version,
      revision: r.revision,
      restated: r.restated,
    };
  });
}

const METRIC_KEYS = Object.keys(QUEUE_STATS_SQL_COLUMNS) as Array<keyof QueueStatsColumns>;

/**
 * One statement for all rows: never over a newer stored version (a re-delivered or replayed older emission is
 * skipped before the guard trigger sees it). A restated row carries its higher `revision`, which is what lets the
 * row guard accept new numbers in a final row; `restated_at` is stamped by the database when `revision` grows.
 */
export async function upsertQueueStats(client: PoolClient, rows: readonly QueueStatsRecord[]): Promise<void> {
  if (rows.length === 0) return;
  const cols = METRIC_KEYS.map((k) => QUEUE_STATS_SQL_COLUMNS[k]);
  const metricArrays = METRIC_KEYS.map((k) => rows.map((r) => r.columns[k]));
  const types = METRIC_KEYS.map((k) =>
    k === 'offered' ||
    k === 'answered' ||
    k === 'abandoned' ||
    k === 'answeredInSla' ||
    k === 'abandonedShort' ||
    k === 'talkCount'
      ? 'int'
      : 'bigint',
  );
  const n = 5 + METRIC_KEYS.length;
  const params = [
    rows.map((r) => r.tenant),
    rows.map((r) => r.queue),
    rows.map((r) => r.windowStart),
    rows.map((r) => r.windowEnd),
    ...metricArrays,
    rows.map((r) => r.isFinal),
    rows.map((r) => r.version),
    rows.map((r) => r.revision),
  ];
  const unnestArgs = [
    '$1::text[]',
    '$2::text[]',
    '$3::bigint[]',
    '$4::bigint[]',
    ...types.map((t, i) => `$${5 + i}::${t}[]`),
    `$${n}::boolean[]`,
    `$${n + 1}::bigint[]`,
    `$${n + 2}::int[]`,
  ];
  await client.query(
    `INSERT INTO queue_stats_1m AS t (tenant, queue, window_start, window_end, ${cols.join(', ')}, is_final, version, revision)
     SELECT u.tenant, u.queue, to_timestamp(u.ws / 1000.0), to_timestamp(u.we / 1000.0), ${cols.map((c) => `u.${c}`).join(', ')},
       u.is_final, u.version, u.revision
     FROM unnest(${unnestArgs.join(', ')}) AS u(tenant, queue, ws, we, ${cols.join(', ')}, is_final, version, revision)
     ON CONFLICT (tenant, queue, window_start) DO UPDATE
       SET ${cols.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, is_final = EXCLUDED.is_final, version = EXCLUDED.version,
         revision = EXCLUDED.revision
       WHERE t.version < EXCLUDED.version`,
    params,
  );
}

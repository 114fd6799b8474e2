import {
  type DerivedQueueMetrics,
  derivedQueueMetrics,
  QUEUE_STATS_SQL_COLUMNS,
  type QueueStatsSums,
  sumQueueStats,
} from '@switchboard/domain';
import type { Pool } from 'pg';
import type { QueueStatsQuery } from './queue-stats-query';

/** One `queue_stats_1m` row as the API shows it: every column (camelCase), and the metrics derived from it. */
export type QueueStatsRow = {
  windowStart: string;
  windowEnd: string;
  isFinal: boolean;
  version: number;
  updatedAt: string;
} & QueueStatsSums &
  DerivedQueueMetrics;

export interface QueueStatsResult {
  queue: string;
  from: string;
  to: string;
  rows: QueueStatsRow[];
  /** The rows summed column-wise, and the metrics derived from those sums (never an average of averages). */
  total: QueueStatsSums & DerivedQueueMetrics;
}

const METRIC_KEYS = Object.keys(QUEUE_STATS_SQL_COLUMNS) as Array<keyof QueueStatsSums>;
const epochMs = (column: string) => `(extract(epoch FROM ${column}) * 1000)::bigint::text`;
// Every value is read as text and converted here (bigint sums stay exact; global type parsers do not matter).
const STATEMENT = `SELECT ${epochMs('window_start')} AS window_start, ${epochMs('window_end')} AS window_end,
    ${METRIC_KEYS.map((k) => `${QUEUE_STATS_SQL_COLUMNS[k]}::text AS ${QUEUE_STATS_SQL_COLUMNS[k]}`).join(', ')},
    is_final, version::text AS version, ${epochMs('updated_at')} AS updated_at
  FROM queue_stats_1m
  WHERE tenant = $1 AND queue = $2 AND window_start >= $3::timestamptz AND window_start < $4::timestamptz
  ORDER BY window_start`;

/** The tenant's queue's 1-minute windows starting in [from, to); another tenant's queue simply has none. */
export async function queueStats(pool: Pool, q: QueueStatsQuery): Promise<QueueStatsResult> {
  const { rows } = await pool.query<Record<string, string | boolean | null>>(STATEMENT, [
    q.tenant,
    q.queue,
    new Date(q.from).toISOString(),
    new Date(q.to).toISOString(),
  ]);
  const out = rows.map((r): QueueStatsRow => {
    const sums = Object.fromEntries(
      METRIC_KEYS.map((k) => {
        const v = r[QUEUE_STATS_SQL_COLUMNS[k]];
        return [k, v === null ? null : Number(v)];
      }),
    ) as unknown as QueueStatsSums;
    return {
      windowStart: iso(r.window_start),
      windowEnd: iso(r.window_end),
      ...sums,
      isFinal: r.is_final === true,
      version: Number(r.version),
      updatedAt: iso(r.updated_at),
      ...derivedQueueMetrics(sums),
    };
  });
  const total = sumQueueStats(out);
  return {
    queue: q.queue,
    from: new Date(q.from).toISOString(),
    to: new Date(q.to).toISOString(),
    rows: out,
    total: { ...total, ...derivedQueueMetrics(total) },
  };
}

function iso(ms: unknown): string {
  return new Date(Number(ms)).toISOString();
}

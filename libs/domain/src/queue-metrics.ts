/**
 * The sums and counts of `queue_stats_1m` (one row, or several summed column-wise) and the queue metrics derived
 * from them on read (PRODUCT.md "Metric definitions"; the formulas are in derived-metrics.js). Averages and ratios
 * are never stored, so windows can be summed first: pass the column-wise sum of several rows to get the metric over
 * a longer period. Each derived metric is null when its denominator is 0 (no data is not 0 %).
 */
export interface QueueStatsSums {
  readonly offered: number;
  readonly answered: number;
  readonly abandoned: number;
  readonly answeredInSla: number;
  readonly abandonedShort: number;
  readonly answeredWaitMsSum: number;
  readonly waitMsSum: number;
  /** Null when no call of the window(s) finished waiting (SQL NULL). */
  readonly maxWaitMs: number | null;
  readonly talkMsSum: number;
  readonly talkCount: number;
}

/** Each metric column's name in `queue_stats_1m` (a public API: billing jobs read these names). */
export const QUEUE_STATS_SQL_COLUMNS: Readonly<Record<keyof QueueStatsSums, string>> = {
  offered: 'offered',
  answered: 'answered',
  abandoned: 'abandoned',
  answeredInSla: 'answered_in_sla',
  abandonedShort: 'abandoned_short',
  answeredWaitMsSum: 'answered_wait_ms_sum',
  waitMsSum: 'wait_ms_sum',
  maxWaitMs: 'max_wait_ms',
  talkMsSum: 'talk_ms_sum',
  talkCount: 'talk_count',
};

/** No calls at all: every count and sum 0, no max wait. */
export const EMPTY_QUEUE_STATS: QueueStatsSums = Object.freeze({
  offered: 0,
  answered: 0,
  abandoned: 0,
  answeredInSla: 0,
  abandonedShort: 0,
  answeredWaitMsSum: 0,
  waitMsSum: 0,
  maxWaitMs: null,
  talkMsSum: 0,
  talkCount: 0,
});

// The formulas live once, in derived-metrics.js, which the wallboard page loads too (see its header).
export {
  abandonRate,
  averageCallDurationMs,
  averageSpeedOfAnswerMs,
  type DerivedQueueMetrics,
  derivedQueueMetrics,
  handledCalls,
  serviceLevel,
  serviceLevelOfHandled,
} from './derived-metrics';

/** Column-wise sum of rows (max for max_wait_ms), to derive metrics over several windows. */
export function sumQueueStats(rows: readonly QueueStatsSums[]): QueueStatsSums {
  const total: { -readonly [K in keyof QueueStatsSums]: QueueStatsSums[K] } = { ...EMPTY_QUEUE_STATS };
  for (const r of rows) {
    total.offered += r.offered;
    total.answered += r.answered;
    total.abandoned += r.abandoned;
    total.answeredInSla += r.answeredInSla;
    total.abandonedShort += r.abandonedShort;
    total.answeredWaitMsSum += r.answeredWaitMsSum;
    total.waitMsSum += r.waitMsSum;
    total.talkMsSum += r.talkMsSum;
    total.talkCount += r.talkCount;
    if (r.maxWaitMs !== null && (total.maxWaitMs === null || r.maxWaitMs > total.maxWaitMs))
      total.maxWaitMs = r.maxWaitMs;
  }
  return total;
}

/**
 * The sums and counts of `queue_stats_1m` (one row, or several summed column-wise) and the queue metrics derived
 * from them on read (PRODUCT.md "Metric definitions"). Averages and ratios are never stored, so windows can be
 * summed first: pass the column-wise sum of several rows to get the metric over a longer period. Each derived
 * metric is null when its denominator is 0 (no data is not 0 %).
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

/** The four derived metrics of PRODUCT.md, as the API and the alert rules show them. */
export interface DerivedQueueMetrics {
  /** Average speed of answer, ms. */
  asaMs: number | null;
  averageCallDurationMs: number | null;
  /** 0..1 */
  serviceLevel: number | null;
  /** 0..1 */
  abandonRate: number | null;
}

/** Average speed of answer, ms: answered_wait_ms_sum / answered. */
export function averageSpeedOfAnswerMs(c: Pick<QueueStatsSums, 'answeredWaitMsSum' | 'answered'>): number | null {
  return ratio(c.answeredWaitMsSum, c.answered);
}

/** Average call (talk) duration, ms: talk_ms_sum / talk_count. */
export function averageCallDurationMs(c: Pick<QueueStatsSums, 'talkMsSum' | 'talkCount'>): number | null {
  return ratio(c.talkMsSum, c.talkCount);
}

/** The calls the service level is judged on: answered + abandoned − abandoned_short (short abandons do not count). */
export function handledCalls(c: Pick<QueueStatsSums, 'answered' | 'abandoned' | 'abandonedShort'>): number {
  return c.answered + c.abandoned - c.abandonedShort;
}

/** Service level, 0..1: answered_in_sla / handled calls. */
export function serviceLevel(
  c: Pick<QueueStatsSums, 'answeredInSla' | 'answered' | 'abandoned' | 'abandonedShort'>,
): number | null {
  return ratio(c.answeredInSla, handledCalls(c));
}

/** Abandon rate, 0..1: abandoned / offered. */
export function abandonRate(c: Pick<QueueStatsSums, 'abandoned' | 'offered'>): number | null {
  return ratio(c.abandoned, c.offered);
}

/** All four derived metrics of one row or of a column-wise sum. */
export function derivedQueueMetrics(c: QueueStatsSums): DerivedQueueMetrics {
  return {
    asaMs: averageSpeedOfAnswerMs(c),
    averageCallDurationMs: averageCallDurationMs(c),
    serviceLevel: serviceLevel(c),
    abandonRate: abandonRate(c),
  };
}

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

function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

import type { QueueStatsColumns } from './queue-window';

/**
 * Derived queue metrics, computed on read from stored sums and counts (never stored as averages, so windows can
 * be summed first: pass the column-wise sum of several rows to get the metric over a longer period).
 * Each returns null when its denominator is 0 (no data is not 0 %).
 */
type Columns = Pick<
  QueueStatsColumns,
  | 'offered'
  | 'answered'
  | 'abandoned'
  | 'answeredInSla'
  | 'abandonedShort'
  | 'answeredWaitMsSum'
  | 'talkMsSum'
  | 'talkCount'
>;

/** Average speed of answer, ms: answered_wait_ms_sum / answered. */
export function averageSpeedOfAnswerMs(c: Pick<Columns, 'answeredWaitMsSum' | 'answered'>): number | null {
  return ratio(c.answeredWaitMsSum, c.answered);
}

/** Average call (talk) duration, ms: talk_ms_sum / talk_count. */
export function averageCallDurationMs(c: Pick<Columns, 'talkMsSum' | 'talkCount'>): number | null {
  return ratio(c.talkMsSum, c.talkCount);
}

/** Service level, 0..1: answered_in_sla / (answered + abandoned − abandoned_short). Short abandons do not count. */
export function serviceLevel(
  c: Pick<Columns, 'answeredInSla' | 'answered' | 'abandoned' | 'abandonedShort'>,
): number | null {
  return ratio(c.answeredInSla, c.answered + c.abandoned - c.abandonedShort);
}

/** Abandon rate, 0..1: abandoned / offered. */
export function abandonRate(c: Pick<Columns, 'abandoned' | 'offered'>): number | null {
  return ratio(c.abandoned, c.offered);
}

/** Column-wise sum of rows (max for max_wait_ms), to derive metrics over several windows. */
export function sumQueueStats(rows: readonly QueueStatsColumns[]): QueueStatsColumns {
  const total = {
    offered: 0,
    answered: 0,
    abandoned: 0,
    answeredInSla: 0,
    abandonedShort: 0,
    answeredWaitMsSum: 0,
    waitMsSum: 0,
    maxWaitMs: null as number | null,
    talkMsSum: 0,
    talkCount: 0,
  };
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

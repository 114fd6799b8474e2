import { z } from 'zod';
import type { QueueStatsSums } from '../queue-metrics';
import { type MetricUpdate, updateId } from '../updates';
import { count, entityId, isoOf, isoTime, rowVersion } from './fields';

/**
 * `queue_stats_1m`: one queue's 1-minute window as the table holds it (PRODUCT.md "Contact centre"), with
 * `revision` (restatements of the final row so far, 0 until the first). Id `<tenant>/queue_stats_1m/<queue>/<ms>`.
 */
export const queueStats1mRowSchema = z.object({
  tenant: entityId,
  queue: entityId,
  window_start: isoTime,
  window_end: isoTime,
  offered: count,
  answered: count,
  abandoned: count,
  answered_in_sla: count,
  abandoned_short: count,
  answered_wait_ms_sum: count,
  wait_ms_sum: count,
  max_wait_ms: count.nullable(),
  talk_ms_sum: count,
  talk_count: count,
  is_final: z.boolean(),
  version: rowVersion,
  /** Absent in rows published before restatements existed: those are revision 0 (the column's default). */
  revision: count.default(0),
});
export type QueueStats1mRow = z.infer<typeof queueStats1mRowSchema>;
export type QueueStatsUpdate = MetricUpdate<QueueStats1mRow> & { kind: 'queue_stats_1m' };

/** One window of one queue, as the aggregator commits it and the gateway reads it back. */
export interface QueueStatsWindow {
  readonly tenant: string;
  readonly queue: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly sums: QueueStatsSums;
  readonly isFinal: boolean;
  readonly version: number;
  readonly revision: number;
  /** This change rewrites a window already final (its `revision` grew). */
  readonly restatement?: boolean;
}

/** The update of a window's change; a restatement says so. */
export function queueStatsUpdate(w: QueueStatsWindow): QueueStatsUpdate {
  const c = w.sums;
  return {
    id: updateId(w.tenant, 'queue_stats_1m', w.queue, w.windowStart),
    kind: 'queue_stats_1m',
    tenant: w.tenant,
    version: w.version,
    row: {
      tenant: w.tenant,
      queue: w.queue,
      window_start: isoOf(w.windowStart),
      window_end: isoOf(w.windowEnd),
      offered: c.offered,
      answered: c.answered,
      abandoned: c.abandoned,
      answered_in_sla: c.answeredInSla,
      abandoned_short: c.abandonedShort,
      answered_wait_ms_sum: c.answeredWaitMsSum,
      wait_ms_sum: c.waitMsSum,
      max_wait_ms: c.maxWaitMs,
      talk_ms_sum: c.talkMsSum,
      talk_count: c.talkCount,
      is_final: w.isFinal,
      version: w.version,
      revision: w.revision,
    },
    ...(w.restatement ? { restatement: true } : {}),
  };
}

/** A row's sums in the domain's names (to derive the metrics of PRODUCT.md). */
export function queueStatsSumsOf(r: QueueStats1mRow): QueueStatsSums {
  return {
    offered: r.offered,
    answered: r.answered,
    abandoned: r.abandoned,
    answeredInSla: r.answered_in_sla,
    abandonedShort: r.abandoned_short,
    answeredWaitMsSum: r.answered_wait_ms_sum,
    waitMsSum: r.wait_ms_sum,
    maxWaitMs: r.max_wait_ms,
    talkMsSum: r.talk_ms_sum,
    talkCount: r.talk_count,
  };
}

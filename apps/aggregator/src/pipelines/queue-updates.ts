import { type MetricUpdate, updateId } from '@switchboard/domain';
import type { WaitingCallsGauge } from '../calls';
import { type QueueStatsRecord, queueStatsRowJson, queueStatsUpdateId } from './queue-stats-rows';

/** A `queue_stats_1m` row's change; a restatement of a final row says so (`restatement: true`, the row's `revision`). */
export function queueStatsUpdate(r: QueueStatsRecord): MetricUpdate {
  return {
    id: queueStatsUpdateId(r),
    kind: 'queue_stats_1m',
    tenant: r.tenant,
    version: r.version,
    row: queueStatsRowJson(r),
    ...(r.restated ? { restatement: true } : {}),
  };
}

/** The live gauge of a queue: calls waiting now and since when the longest-waiting one waits. */
export function queueGaugeUpdate(tenant: string, queue: string, version: number, g: WaitingCallsGauge): MetricUpdate {
  return {
    id: updateId(tenant, 'queue_gauge', queue),
    kind: 'queue_gauge',
    tenant,
    version,
    row: {
      tenant,
      queue,
      waiting: g.waiting,
      longest_waiting_since: g.longestWaitingSince === null ? null : new Date(g.longestWaitingSince).toISOString(),
    },
  };
}

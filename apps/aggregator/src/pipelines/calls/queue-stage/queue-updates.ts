import {
  type QueueGaugeUpdate,
  type QueueStatsUpdate,
  queueGaugeUpdate as queueGaugeRowUpdate,
  queueStatsUpdate as queueStatsRowUpdate,
} from '@switchboard/domain';
import type { WaitingCallsGauge } from '../../../calls';
import type { QueueStatsRecord } from './queue-stats-rows';

/** A `queue_stats_1m` row's change; a restatement of a final row says so (`restatement: true`, the row's `revision`). */
export function queueStatsUpdate(r: QueueStatsRecord): QueueStatsUpdate {
  return queueStatsRowUpdate({ ...r, sums: r.columns, restatement: r.restated });
}

/** The live gauge of a queue: calls waiting now and since when the longest-waiting one waits. */
export function queueGaugeUpdate(
  tenant: string,
  queue: string,
  version: number,
  g: WaitingCallsGauge,
): QueueGaugeUpdate {
  return queueGaugeRowUpdate({ tenant, queue, version, ...g });
}

import { METRIC_UPDATE_MODEL, type MetricUpdate, updateId } from '@switchboard/domain';
import type { OutboxRecord } from '@switchboard/streams';
import type { WaitingCallsGauge } from '../calls';
import { type QueueStatsRecord, queueStatsRowJson, queueStatsUpdateId } from './queue-stats-rows';

/** A metrics.updates message (libs/domain/src/updates.ts): key = the row's id, so one row stays in order. */
export function metricUpdateRecord(topic: string, update: MetricUpdate): OutboxRecord {
  return {
    topic,
    key: update.id,
    headers: { 'sb-model': METRIC_UPDATE_MODEL },
    value: Buffer.from(JSON.stringify(update)),
  };
}

export function queueStatsUpdate(r: QueueStatsRecord): MetricUpdate {
  return {
    id: queueStatsUpdateId(r),
    kind: 'queue_stats_1m',
    tenant: r.tenant,
    version: r.version,
    row: queueStatsRowJson(r),
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

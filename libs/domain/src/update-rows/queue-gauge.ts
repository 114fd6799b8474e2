import { z } from 'zod';
import { type MetricUpdate, updateId } from '../updates';
import { count, entityId, isoOf, isoTime } from './fields';

/** `queue_gauge`: calls waiting in a queue now and since when the longest-waiting one waits. Id `<tenant>/queue_gauge/<queue>`. */
export const queueGaugeRowSchema = z.object({
  tenant: entityId,
  queue: entityId,
  waiting: count,
  longest_waiting_since: isoTime.nullable(),
});
export type QueueGaugeRow = z.infer<typeof queueGaugeRowSchema>;
export type QueueGaugeUpdate = MetricUpdate<QueueGaugeRow> & { kind: 'queue_gauge' };

export interface QueueGauge {
  readonly tenant: string;
  readonly queue: string;
  readonly version: number;
  readonly waiting: number;
  /** Epoch ms; null when nobody waits. */
  readonly longestWaitingSince: number | null;
}

export function queueGaugeUpdate(g: QueueGauge): QueueGaugeUpdate {
  return {
    id: updateId(g.tenant, 'queue_gauge', g.queue),
    kind: 'queue_gauge',
    tenant: g.tenant,
    version: g.version,
    row: {
      tenant: g.tenant,
      queue: g.queue,
      waiting: g.waiting,
      longest_waiting_since: g.longestWaitingSince === null ? null : isoOf(g.longestWaitingSince),
    },
  };
}

import { DEFAULT_SLA_SECONDS } from '@switchboard/domain';
import { queueSlaAggregator, type SlaWindowAcc } from '../pipelines/calls/queue-stage/queue-sla-aggregator';
import type { CallEvent } from './call-events';
import { applyCallEvent, type CallRecord, type CallUpdate } from './call-tracker';
import type { DataQualityItem } from './data-quality';
import { QUEUE_WINDOW_MS, type QueueStatsColumns, queueWindowStart } from './queue-window';
import { toSignedFacts } from './signed-facts';

const agg = { ...queueSlaAggregator, retract: queueSlaAggregator.retract, result: queueSlaAggregator.result };
if (!agg.retract || !agg.result) throw new Error('stage 2 aggregator retracts and has a result');
const retract = agg.retract;
const result = agg.result;

/** One `queue_stats_1m` row's window and metric columns, as a spec reads it (open windows only: never final). */
export interface QueueStatsRow extends QueueStatsColumns {
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly isFinal: boolean;
}

export interface CallsReplay {
  readonly records: ReadonlyMap<string, CallRecord>;
  /** Queue → its windows' accumulators by window start. */
  readonly queues: ReadonlyMap<string, Map<number, SlaWindowAcc>>;
  /** Every update, in arrival order (to inspect live, non-final numbers). */
  readonly updates: readonly CallUpdate[];
  readonly dataQuality: readonly DataQualityItem[];
  /** The current rows of a queue, oldest first. */
  rows(queue: string): QueueStatsRow[];
}

/**
 * For specs: events through the calls pipeline's own code in one process — the call tracker (stage 1), then its
 * corrections (retractions first, as the hop sends them) folded per queue and 1-minute window by stage 2's
 * aggregator, which judges the SLA with `slaSecondsOf(queue)` (default 20 s). No sealing: the engine's windows
 * do that (libs/streams).
 */
export function replayCalls(
  events: readonly CallEvent[],
  slaSecondsOf: (queue: string) => number | undefined = () => undefined,
): CallsReplay {
  const records = new Map<string, CallRecord>();
  const queues = new Map<string, Map<number, SlaWindowAcc>>();
  const updates: CallUpdate[] = [];
  const dataQuality: DataQualityItem[] = [];
  for (const event of events) {
    const update = applyCallEvent(records.get(event.callId), event);
    records.set(event.callId, update.record);
    updates.push(update);
    dataQuality.push(...update.dataQuality);
    for (const { sign, fact } of toSignedFacts(update.change)) {
      let windows = queues.get(fact.queue);
      if (!windows) {
        windows = new Map();
        queues.set(fact.queue, windows);
      }
      const start = queueWindowStart(fact.ts);
      const acc = windows.get(start) ?? queueSlaAggregator.initial();
      const input = { fact, slaSeconds: slaSecondsOf(fact.queue) ?? DEFAULT_SLA_SECONDS };
      windows.set(start, sign === -1 ? retract(acc, input) : queueSlaAggregator.add(acc, input));
    }
  }
  const rows = (queue: string): QueueStatsRow[] =>
    [...(queues.get(queue) ?? [])]
      .sort(([a], [b]) => a - b)
      .map(([start, acc]) => ({
        windowStart: start,
        windowEnd: start + QUEUE_WINDOW_MS,
        isFinal: false,
        ...result(acc),
      }));
  return { records, queues, updates, dataQuality, rows };
}

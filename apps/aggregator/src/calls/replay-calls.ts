import type { CallEvent } from './call-events';
import type { CallFactOptions } from './call-facts';
import { applyCallEvent, type CallRecord, type CallUpdate } from './call-tracker';
import type { DataQualityItem } from './data-quality';
import { groupByQueue, type QueueStatsRow, QueueStatsWindows, toSignedFacts } from './queue-stats-windows';

export interface CallsReplay {
  readonly records: ReadonlyMap<string, CallRecord>;
  /** Queue → its open windows. */
  readonly queues: ReadonlyMap<string, QueueStatsWindows>;
  /** Every update, in arrival order (to inspect live, non-final numbers). */
  readonly updates: readonly CallUpdate[];
  readonly dataQuality: readonly DataQualityItem[];
  /** The current rows of a queue, oldest first. */
  rows(queue: string): QueueStatsRow[];
}

/**
 * Runs events through the whole calls pipeline in one process (per-call records → signed facts → per-queue
 * windows), as the keyed engine does across its two stages. For `switchboard verify`-style batch recomputation
 * and for tests; SLA seconds per queue come from `slaSecondsOf`.
 */
export function replayCalls(
  events: readonly CallEvent[],
  slaSecondsOf: (queue: string) => CallFactOptions['slaSeconds'] = () => undefined,
): CallsReplay {
  const records = new Map<string, CallRecord>();
  const queues = new Map<string, QueueStatsWindows>();
  const updates: CallUpdate[] = [];
  const dataQuality: DataQualityItem[] = [];
  for (const event of events) {
    const record = records.get(event.callId);
    const queue = record?.state.started?.queue ?? (event.type === 'call.started' ? event.queue : undefined);
    const update = applyCallEvent(record, event, { slaSeconds: queue === undefined ? undefined : slaSecondsOf(queue) });
    records.set(event.callId, update.record);
    updates.push(update);
    dataQuality.push(...update.dataQuality);
    for (const [q, facts] of groupByQueue(toSignedFacts(update.change))) {
      let windows = queues.get(q);
      if (!windows) {
        windows = new QueueStatsWindows();
        queues.set(q, windows);
      }
      windows.apply(facts);
    }
  }
  return {
    records,
    queues,
    updates,
    dataQuality,
    rows: (queue) => queues.get(queue)?.openRows() ?? [],
  };
}

import type { JudgedCallFact } from './call-facts';
import { type QueueStatsColumns, QueueWindow, type QueueWindowSnapshot } from './queue-window';

/**
 * The queue window accumulator in the shape of the streams engine's mergeable, retractable aggregator
 * (`initial/add/merge/retract/result`, accumulator = plain JSON). Feed it the facts of `toSignedFacts`,
 * with the engine's retract flag for sign −1, keyed by (tenant, fact.queue) and windowed by `fact.ts`
 * in 1-minute tumbling windows.
 */
export const queueStatsAggregator = {
  name: 'queue_stats_1m',
  initial: (): QueueWindowSnapshot => QueueWindow.empty().snapshot(),
  add: (acc: QueueWindowSnapshot, fact: JudgedCallFact): QueueWindowSnapshot => update(acc, (w) => w.add(fact)),
  retract: (acc: QueueWindowSnapshot, fact: JudgedCallFact): QueueWindowSnapshot => update(acc, (w) => w.retract(fact)),
  merge: (a: QueueWindowSnapshot, b: QueueWindowSnapshot): QueueWindowSnapshot => {
    const counters = { ...a.counters };
    for (const key of Object.keys(counters) as Array<keyof typeof counters>) counters[key] += b.counters[key];
    const waits = new Map(a.waits);
    for (const [wait, n] of b.waits) waits.set(wait, (waits.get(wait) ?? 0) + n);
    return { counters, waits: [...waits] };
  },
  result: (acc: QueueWindowSnapshot): QueueStatsColumns => QueueWindow.fromSnapshot(acc).columns(),
};

function update(acc: QueueWindowSnapshot, change: (window: QueueWindow) => void): QueueWindowSnapshot {
  const window = QueueWindow.fromSnapshot(acc);
  change(window);
  return window.snapshot();
}

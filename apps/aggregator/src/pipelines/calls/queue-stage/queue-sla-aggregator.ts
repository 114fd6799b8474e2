import type { Aggregator } from '@switchboard/streams';
import { type CallFact, type QueueStatsColumns, type QueueWindowSnapshot, queueStatsAggregator } from '../../../calls';

/** A fact as stage 2 windows it: with the SLA its queue had at the fact's timestamp (queue-state.ts, SlaChange). */
export interface SlaFact {
  readonly fact: CallFact;
  readonly slaSeconds: number;
}

/**
 * The window accumulator plus the SLA verdict given to each answered call in the window, so a retraction
 * takes out exactly what its addition put in even if the queue's SLA changed in between. Retractions land
 * in the addition's window (same fact, same ts), so the verdicts live and die with the window. Plain JSON.
 */
export interface SlaWindowAcc {
  readonly stats: QueueWindowSnapshot;
  /** [fact identity without the verdict, inSla] of the answered facts added to this window. */
  readonly verdicts: ReadonlyArray<readonly [string, boolean]>;
}

function verdictKey(fact: CallFact & { kind: 'answered' }): string {
  return `${fact.callId}|${fact.ts}|${fact.waitMs}`;
}

/**
 * `queueStatsAggregator` with the in-SLA verdict decided here (stage 2, where the queue's properties are) rather
 * than in the call stage, which cannot know the SLA of a queue whose properties land on another partition.
 */
export const queueSlaAggregator: Aggregator<SlaFact, SlaWindowAcc, QueueStatsColumns> = {
  name: 'queue_stats_1m',
  initial: () => ({ stats: queueStatsAggregator.initial(), verdicts: [] }),
  add(acc, { fact, slaSeconds }) {
    if (fact.kind !== 'answered') return { stats: queueStatsAggregator.add(acc.stats, fact), verdicts: acc.verdicts };
    const inSla = fact.waitMs <= slaSeconds * 1000;
    return {
      stats: queueStatsAggregator.add(acc.stats, { ...fact, inSla }),
      verdicts: [...acc.verdicts, [verdictKey(fact), inSla]],
    };
  },
  retract(acc, { fact, slaSeconds }) {
    if (fact.kind !== 'answered')
      return { stats: queueStatsAggregator.retract(acc.stats, fact), verdicts: acc.verdicts };
    const key = verdictKey(fact);
    const at = acc.verdicts.findIndex(([k]) => k === key);
    // Never added here would make the accumulator throw anyway; the computed verdict only names the fact.
    const inSla = at >= 0 ? acc.verdicts[at][1] : fact.waitMs <= slaSeconds * 1000;
    return {
      stats: queueStatsAggregator.retract(acc.stats, { ...fact, inSla }),
      verdicts: at >= 0 ? [...acc.verdicts.slice(0, at), ...acc.verdicts.slice(at + 1)] : acc.verdicts,
    };
  },
  merge: (a, b) => ({ stats: queueStatsAggregator.merge(a.stats, b.stats), verdicts: [...a.verdicts, ...b.verdicts] }),
  result: (acc) => queueStatsAggregator.result(acc.stats),
};

import type { Aggregator } from '@switchboard/streams/core/processing';
import fc from 'fast-check';
import type { CallEvent } from './call-events';
import type { CallFact, JudgedCallFact } from './call-facts';
import { applyCallEvent, type CallRecord } from './call-tracker';
import { queueStatsAggregator } from './queue-stats-aggregator';
import { type QueueStatsColumns, type QueueWindowSnapshot, queueWindowStart } from './queue-window';
import { toSignedFacts } from './signed-facts';

// The signed facts of the call stage (retractions and additions in arrival order), folded by a windowing engine with
// the retractable aggregator, give the rows of folding only each call's final facts; and merging partial
// accumulators equals folding everything at once.
const fitsTheEngine: Aggregator<JudgedCallFact, QueueWindowSnapshot, QueueStatsColumns> = queueStatsAggregator;
const judged = (f: CallFact): JudgedCallFact => (f.kind === 'answered' ? { ...f, inSla: f.waitMs <= 20_000 } : f);
const T = Date.UTC(2026, 10, 25, 9, 0, 0);

const eventsArb = fc
  .array(
    fc.record({
      start: fc.integer({ min: 0, max: 180_000 }),
      wait: fc.integer({ min: 0, max: 40_000 }),
      talk: fc.integer({ min: 0, max: 120_000 }),
      answered: fc.boolean(),
    }),
    { minLength: 1, maxLength: 10 },
  )
  .chain((calls) => {
    const events = calls.flatMap(({ start, wait, talk, answered }, i): CallEvent[] => {
      const callId = `c${i}`;
      const s = T + start;
      return answered
        ? [
            { type: 'call.started', callId, queue: 'q', ts: s },
            { type: 'call.answered', callId, agentId: 'a', ts: s + wait },
            { type: 'call.ended', callId, ts: s + wait + talk },
          ]
        : [
            { type: 'call.started', callId, queue: 'q', ts: s },
            { type: 'call.ended', callId, ts: s + wait },
          ];
    });
    return fc.shuffledSubarray(events, { minLength: events.length });
  });

describe('the queue aggregator folds to the same rows', () => {
  it('holds for random calls in random order', () => {
    fc.assert(
      fc.property(eventsArb, (events) => {
        const records = new Map<string, CallRecord>();
        const folded = new Map<number, QueueWindowSnapshot>();
        const adds: JudgedCallFact[] = [];
        for (const event of events) {
          const update = applyCallEvent(records.get(event.callId), event);
          records.set(event.callId, update.record);
          for (const { sign, fact } of toSignedFacts(update.change)) {
            const start = queueWindowStart(fact.ts);
            const acc = folded.get(start) ?? fitsTheEngine.initial();
            const f = judged(fact);
            folded.set(start, sign === 1 ? fitsTheEngine.add(acc, f) : queueStatsAggregator.retract(acc, f));
            if (sign === 1) adds.push(f);
          }
        }
        const finals = new Map<number, QueueWindowSnapshot>();
        for (const record of records.values()) {
          for (const fact of record.facts) {
            const start = queueWindowStart(fact.ts);
            finals.set(start, fitsTheEngine.add(finals.get(start) ?? fitsTheEngine.initial(), judged(fact)));
          }
        }
        const empty = fitsTheEngine.result?.(fitsTheEngine.initial());
        for (const [start, acc] of folded) {
          const expected = finals.get(start);
          expect(fitsTheEngine.result?.(acc)).toEqual(expected ? fitsTheEngine.result?.(expected) : empty);
        }
        expect([...finals.keys()].every((start) => folded.has(start))).toBe(true);

        const fold = (facts: JudgedCallFact[]) => facts.reduce(fitsTheEngine.add, fitsTheEngine.initial());
        const half = Math.floor(adds.length / 2);
        expect(fitsTheEngine.result?.(fitsTheEngine.merge(fold(adds.slice(0, half)), fold(adds.slice(half))))).toEqual(
          fitsTheEngine.result?.(fold(adds)),
        );
      }),
      { numRuns: 200 },
    );
  });
});

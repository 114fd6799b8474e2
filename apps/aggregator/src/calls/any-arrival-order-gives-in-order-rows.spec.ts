import fc from 'fast-check';
import type { CallEvent } from './call-events';
import type { QueueStatsRow } from './spec-replay';
import { replayCalls } from './spec-replay';

// Property: for any set of calls (answered, abandoned, still waiting, with duplicate and conflicting
// transitions), every permutation of its events ends in exactly the rows and call records of in-order arrival.
// A window whose every contribution was retracted stays as an all-zero row (it may already be in Postgres), so
// rows are compared without all-zero ones.
const T = Date.UTC(2026, 10, 25, 9, 0, 0);

const callArb = fc
  .record({
    queue: fc.constantFrom('sales', 'support'),
    startOffset: fc.integer({ min: 0, max: 5 * 60_000 }),
    waitMs: fc.integer({ min: 0, max: 90_000 }),
    talkMs: fc.integer({ min: 0, max: 5 * 60_000 }),
    outcome: fc.constantFrom('answered-ended', 'answered', 'abandoned', 'waiting'),
    duplicates: fc.array(fc.nat(2), { maxLength: 2 }),
    secondAnswerDelayMs: fc.option(fc.integer({ min: -10_000, max: 90_000 }), { nil: undefined }),
  })
  .map(
    ({ queue, startOffset, waitMs, talkMs, outcome, duplicates, secondAnswerDelayMs }) =>
      (callId: string): CallEvent[] => {
        const start = T + startOffset;
        const events: CallEvent[] = [{ type: 'call.started', callId, queue, ts: start }];
        if (outcome === 'answered' || outcome === 'answered-ended') {
          events.push({ type: 'call.answered', callId, agentId: 'a1', ts: start + waitMs });
        }
        if (outcome === 'answered-ended') events.push({ type: 'call.ended', callId, ts: start + waitMs + talkMs });
        if (outcome === 'abandoned') events.push({ type: 'call.ended', callId, ts: start + waitMs });
        if (secondAnswerDelayMs !== undefined && outcome !== 'waiting') {
          // A conflicting second answer (another agent, another ts): the earliest answer must win in any order.
          events.push({ type: 'call.answered', callId, agentId: 'a2', ts: start + waitMs + secondAnswerDelayMs });
        }
        return [...events, ...duplicates.map((i) => events[i % events.length])];
      },
  );

const scenarioArb = fc
  .array(callArb, { minLength: 1, maxLength: 12 })
  .map((makers) => makers.flatMap((make, i) => make(`call-${i}`)))
  .chain((events) => fc.tuple(fc.constant(events), fc.shuffledSubarray(events, { minLength: events.length })));

function nonZero(rows: QueueStatsRow[]): QueueStatsRow[] {
  return rows.filter((r) => r.offered + r.answered + r.abandoned + r.talkCount > 0);
}

function byTs(events: readonly CallEvent[]): CallEvent[] {
  return [...events].sort((a, b) => a.ts - b.ts);
}

describe('calls: any arrival order gives the in-order rows', () => {
  it('holds for random call sets and random permutations', () => {
    fc.assert(
      fc.property(scenarioArb, ([events, arrival]) => {
        const inOrder = replayCalls(byTs(events), (q) => (q === 'sales' ? 15 : undefined));
        const shuffled = replayCalls(arrival, (q) => (q === 'sales' ? 15 : undefined));
        for (const queue of ['sales', 'support']) {
          expect(nonZero(shuffled.rows(queue))).toEqual(nonZero(inOrder.rows(queue)));
        }
        expect(shuffled.records).toEqual(inOrder.records);
      }),
      { numRuns: 300 },
    );
  });
});

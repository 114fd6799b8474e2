import fc from 'fast-check';
import { sum } from './aggregators';
import type { StreamRecord, WindowRow } from './record';
import { RepartitionBoundary, type RepartitionMessage } from './repartition';
import { batchAggregate, finalValues, interleaveSources } from './spec-helpers';
import { WindowedAggregation } from './windowed-aggregation';
import { tumbling } from './windows';

interface Call {
  queue: string;
  waitMs: number;
}

const window = tumbling(60_000);
const GRACE = 5_000;

/** Two source partitions, each in event-time order; the interleaving of their batches is arbitrary (a backlog). */
const input = fc.record({
  p0: fc.array(fc.tuple(fc.integer({ min: 0, max: 40_000 }), fc.constantFrom('sales', 'support'), fc.nat(100)), {
    maxLength: 60,
  }),
  p1: fc.array(fc.tuple(fc.integer({ min: 0, max: 40_000 }), fc.constantFrom('sales', 'support'), fc.nat(100)), {
    maxLength: 60,
  }),
  schedule: fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 10 })), { minLength: 1, maxLength: 60 }),
});

function records(spec: Array<[number, string, number]>, partition: number, offsetStart: number): StreamRecord<Call>[] {
  let t = offsetStart;
  return spec.map(([gap, queue, waitMs], i) => {
    t += gap;
    return { key: `call-${partition}-${i}`, value: { queue, waitMs }, timestamp: t, partition };
  });
}

describe('a backlog on one partition across a groupBy', () => {
  it('gives exactly the batch result: no record becomes late, whatever the interleaving', () => {
    fc.assert(
      fc.property(input, ({ p0, p1, schedule }) => {
        const src = [records(p0, 0, 0), records(p1, 1, 0)];
        const all = [...src[0], ...src[1]];
        const messages: RepartitionMessage<Call>[] = [];
        const stage1 = new RepartitionBoundary<Call>({ keyBy: (c) => c.queue, sink: messages, mode: 'replay' });
        stage1.assign(0);
        stage1.assign(1);
        const rows: WindowRow<number>[] = [];
        const stage2 = new WindowedAggregation<Call, number, number>({
          window,
          aggregator: sum((c: Call) => c.waitMs),
          grace: GRACE,
          emit: 'final',
          inputs: 2,
          sink: rows,
          mode: 'replay',
        });
        stage2.assign(0);
        interleaveSources(src, schedule, (slice) => {
          stage1.process(slice);
          stage2.processMessages(0, messages.splice(0));
        });
        // both inputs reach the end of time: everything closes
        stage2.advanceTime(0, 0, 1e13);
        stage2.advanceTime(0, 1, 1e13);
        expect(stage2.stats(0).late).toBe(0);
        const expected = batchAggregate(
          all.map((r) => ({ ...r, key: r.value.queue })),
          window,
          sum((c: Call) => c.waitMs),
        );
        expect(finalValues(rows)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});

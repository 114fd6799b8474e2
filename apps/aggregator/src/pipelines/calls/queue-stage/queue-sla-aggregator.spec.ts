import type { CallFact } from '../../../calls';
import { queueSlaAggregator as agg, type SlaFact } from './queue-sla-aggregator';

const answered = (waitMs: number): CallFact => ({
  kind: 'answered',
  callId: 'c1',
  queue: 'sales',
  ts: 60_000,
  waitMs,
});
const at = (fact: CallFact, slaSeconds: number): SlaFact => ({ fact, slaSeconds });

describe('queue SLA aggregator', () => {
  it('decides in-SLA with the SLA the fact arrives with, boundary included', () => {
    let acc = agg.initial();
    acc = agg.add(acc, at(answered(10_000), 10));
    acc = agg.add(acc, at({ ...answered(10_001), callId: 'c2' }, 10));
    expect(agg.result?.(acc)).toMatchObject({ answered: 2, answeredInSla: 1 });
  });

  it('retracts the verdict given at addition even after the SLA changed', () => {
    let acc = agg.initial();
    acc = agg.add(acc, at(answered(15_000), 20)); // in SLA at 20 s
    acc = agg.retract?.(acc, at(answered(15_000), 10)) ?? acc; // SLA is now 10 s: still takes out an in-SLA answer
    expect(agg.result?.(acc)).toMatchObject({ answered: 0, answeredInSla: 0, maxWaitMs: null });
    expect(acc.verdicts).toEqual([]);
  });

  it('leaves other facts to the queue accumulator and merges', () => {
    const offered: CallFact = { kind: 'offered', callId: 'c3', queue: 'sales', ts: 60_000 };
    const a = agg.add(agg.initial(), at(offered, 20));
    const b = agg.add(agg.initial(), at(answered(1_000), 20));
    expect(agg.result?.(agg.merge(a, b))).toMatchObject({
      offered: 1,
      answered: 1,
      answeredInSla: 1,
      maxWaitMs: 1_000,
    });
  });
});

import type { CallFact } from '../../../calls';
import type { CallsHopValue, HopMessage } from '../calls-hop';
import { queueStage } from './queue-stage';

// Stage 2 should never see a fact beyond its restatement horizon (stage 1 refuses those first), but if one arrives
// after its window was forgotten it is a `late_call_fact` data-quality row and a record on the hop topic's
// dead-letter topic pointing at the hop message, never a change of the final row; the stage goes on with the next
// fact. (Within the horizon such a fact restates the window: late-fact-restates-a-final-queue-window.spec.ts.)
const T0 = Date.UTC(2026, 0, 7, 11, 0, 0);
const HOP = 'agg.calls.by-queue';

const fact = (callId: string, ts: number): CallFact => ({ kind: 'offered', callId, queue: 'sales', ts });
const record = (sequence: number, offset: string, value: CallsHopValue, timestamp: number): HopMessage => ({
  kind: 'record',
  key: 'acme/sales',
  value,
  timestamp,
  sourcePartition: 0,
  sequence,
  offset,
});
const time = (sourcePartition: number, streamTime: number): HopMessage => ({
  kind: 'time',
  sourcePartition,
  streamTime,
});

describe('a call fact beyond the restatement horizon goes to the dead-letter topic', () => {
  const stage = queueStage({
    inputTopic: HOP,
    inputs: 2,
    updatesTopic: 'u',
    graceMs: 10_000,
    idleMs: 1_000,
    mode: 'replay',
    restateForMs: 60_000,
  });
  for (const s of stage.states) s.restore(1, undefined);
  stage.process(1, [
    record(0, '7', { kind: 'fact', fact: fact('c1', T0 + 1_000) }, T0 + 1_000),
    time(0, T0 + 5 * 60_000),
    time(1, T0 + 5 * 60_000), // the 11:00 window is final and past end + grace + restateForMs
    record(1, '10', { kind: 'fact', fact: fact('c2', T0 + 2_000) }, T0 + 2_000), // late
    record(2, '11', { kind: 'fact', fact: fact('c3', T0 + 4 * 60_000 + 55_000) }, T0 + 4 * 60_000 + 55_000),
  ]);
  const { results, outbox } = stage.drain();

  it('writes a late_call_fact row and a dead-letter record pointing at the hop message', () => {
    expect(results.flatMap((r) => ('dq' in r ? [r.dq] : []))).toEqual([
      {
        tenant: 'acme',
        kind: 'late_call_fact',
        entityType: 'call',
        entityId: 'c2',
        eventTs: T0 + 2_000,
        detail: {
          queue: 'sales',
          fact: 'offered',
          retract: false,
          windowStarts: [new Date(T0).toISOString()],
          streamTime: new Date(T0 + 5 * 60_000).toISOString(),
          graceMs: 10_000,
        },
      },
    ]);
    const dead = outbox.filter((o) => o.topic === `${HOP}.dlq`);
    expect(dead.map((d) => [d.key, d.headers])).toEqual([
      [
        'acme/sales',
        {
          'sb-dlq-source-topic': HOP,
          'sb-dlq-source-partition': '1',
          'sb-dlq-source-offset': '10',
          'sb-dlq-error': expect.stringMatching(/^late_call_fact: offered fact of call c2 reached queue sales after/),
          'sb-dlq-error-type': 'late',
          'sb-dlq-attempt': '1',
        },
      ],
    ]);
    expect(stage.refused).toEqual({ late: 1, invalid: 0 });
  });

  it('leaves the final row as it was and counts the next fact', () => {
    const rows = results.flatMap((r) => ('dq' in r ? [] : [r]));
    expect(rows.filter((r) => r.windowStart === T0).map((r) => [r.value.offered, r.final])).toEqual([
      [1, false],
      [1, true],
    ]);
    expect(rows.filter((r) => r.windowStart === T0 + 4 * 60_000).map((r) => r.value.offered)).toEqual([1]);
  });
});

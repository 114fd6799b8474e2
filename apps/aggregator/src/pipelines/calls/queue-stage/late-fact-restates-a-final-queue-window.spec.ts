import type { MetricUpdate } from '@switchboard/domain';
import type { CallFact } from '../../../calls';
import type { CallsHopValue, HopMessage } from '../calls-hop';
import { queueStage } from './queue-stage';

// A late answer folded in by stage 1 reaches stage 2 as "retract the abandon, add the answer and the talk" for
// windows that are already final: each window is restated — one final row per window with version + 1 and
// revision 1, written with its revision, sent with `restatement: true`. The answer is judged with the SLA in effect
// at its ts (a change that came later applies to answers from its effect time on, never to a final window).
const T0 = Date.UTC(2026, 0, 7, 11, 0, 0);
const MIN = 60_000;

let sequence = 0;
const record = (value: CallsHopValue, timestamp: number, retract = false): HopMessage => ({
  kind: 'record',
  key: 'acme/sales',
  value,
  timestamp,
  sourcePartition: 0,
  sequence: sequence++,
  ...(retract ? { retract } : {}),
});
const time = (sourcePartition: number, streamTime: number): HopMessage => ({
  kind: 'time',
  sourcePartition,
  streamTime,
});
const fact = (f: CallFact, retract = false) => record({ kind: 'fact', fact: f }, f.ts, retract);
const base = { callId: 'c1', queue: 'sales' };
const abandoned: CallFact = { ...base, kind: 'abandoned', ts: T0 + MIN + 10_000, waitMs: 40_000, short: false };

describe('a late fact restates a final queue window', () => {
  const stage = queueStage({
    inputTopic: 'hop',
    inputs: 1,
    updatesTopic: 'u',
    graceMs: 10_000,
    idleMs: 1_000,
    mode: 'replay',
  });
  for (const s of stage.states) s.restore(0, undefined);
  stage.process(0, [
    record({ kind: 'queue', slaSeconds: 30, name: null }, T0 - MIN), // SLA 30 s from 10:59 on
    fact({ ...base, kind: 'offered', ts: T0 + 30_000 }),
    fact(abandoned),
    time(0, T0 + 10 * MIN), // 11:00 and 11:01 are final
    record({ kind: 'queue', slaSeconds: 20, name: null }, T0 + 10 * MIN), // SLA 20 s from 11:10 on
  ]);
  const before = stage.drain().results.flatMap((r) => ('dq' in r ? [] : [r]));
  // stage 1 folded in a late answer at 11:00:55 (a wait of 25 s: in SLA by the 30 s in effect then)
  stage.process(0, [
    fact(abandoned, true),
    fact({ ...base, kind: 'answered', ts: T0 + 55_000, waitMs: 25_000 }),
    fact({ ...base, kind: 'talked', ts: T0 + MIN + 10_000, talkMs: 15_000 }),
  ]);
  const { results, outbox } = stage.drain();
  const rows = results.flatMap((r) => ('dq' in r ? [] : [r])).sort((a, b) => a.windowStart - b.windowStart);

  it('emits one restated final row per window with version + 1 and revision 1', () => {
    const finalBefore = new Map(before.filter((r) => r.final).map((r) => [r.windowStart, r.version]));
    expect(finalBefore.size).toBe(2);
    expect(
      rows.map((r) => [
        r.windowStart - T0,
        r.final,
        r.version - (finalBefore.get(r.windowStart) ?? 0),
        r.revision,
        r.restated,
      ]),
    ).toEqual([
      [0, true, 1, 1, true],
      [MIN, true, 1, 1, true],
    ]);
    const [first, second] = rows;
    expect([
      first.value.offered,
      first.value.answered,
      first.value.answeredInSla,
      first.value.answeredWaitMsSum,
    ]).toEqual([1, 1, 1, 25_000]);
    expect([second.value.abandoned, second.value.waitMsSum, second.value.maxWaitMs, second.value.talkCount]).toEqual([
      0,
      0,
      null,
      1,
    ]);
    expect(stage.refused).toEqual({ late: 0, invalid: 0 });
  });

  it('sends each restated row as an update event marked as a restatement, with its revision', () => {
    const updates = outbox.filter((o) => o.topic === 'u').map((o) => JSON.parse(String(o.value)) as MetricUpdate);
    expect(updates.map((u) => [u.kind, u.restatement, u.row.revision, u.row.is_final])).toEqual([
      ['queue_stats_1m', true, 1, true],
      ['queue_stats_1m', true, 1, true],
    ]);
  });
});

import { type ConsumedMessage, decodeRepartition, type OutboxRecord } from '@switchboard/streams';
import type { CallsHopValue } from '../calls-hop';
import { callsStage } from './calls-stage';

// Stage 1 keeps a settled call (compactly) until the restatement horizon: a call.answered arriving an hour after
// its call was counted abandoned is folded in (retract the abandon, add the answer and the talk) and sent to stage 2
// like any change; an event whose windows are beyond the horizon is refused (`call_event_beyond_horizon`, and a
// dead letter). Another call's traffic drives the partition's stream time.
const T = Date.UTC(2026, 0, 9, 9, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;

let offset = 0;
const call = (callId: string, type: string, ts: number, value: object = {}): ConsumedMessage => ({
  partition: 0,
  offset: String(offset++),
  streamId: `acme/${callId}`,
  message: { kind: 'event', events: [{ id: type, timestamp: ts, value: JSON.stringify(value), tags: {} }] },
});
const facts = (outbox: OutboxRecord[]) =>
  outbox
    .filter((o) => o.topic === 'hop')
    .map((o) => decodeRepartition<CallsHopValue>(o.key, o.headers ?? {}, o.value as Buffer))
    .flatMap((m) =>
      m.kind === 'record' && m.value.kind === 'fact'
        ? [[m.retract ? '-' : '+', m.value.fact.kind, m.value.fact.ts]]
        : [],
    );

describe('the calls stage folds late events in until the restatement horizon', () => {
  const stage = callsStage({
    repartitionTopic: 'hop',
    partitions: 1,
    graceMs: MIN,
    idleMs: 1_000,
    mode: 'replay',
    restateForMs: 24 * HOUR,
  });
  for (const s of stage.states) s.restore(0, undefined);
  stage.process(0, [
    call('c1', 'call.started', T, { queue: 'sales' }),
    call('c1', 'call.ended', T + 40_000),
    call('live', 'call.started', T + HOUR, { queue: 'sales' }), // the 09:00 windows are final downstream now
  ]);
  stage.drain();

  it('sends the correction of a late answer to stage 2', () => {
    stage.process(0, [call('c1', 'call.answered', T + 10_000, { agentId: 'a1' })]);
    const { results, outbox } = stage.drain();
    expect(facts(outbox)).toEqual([
      ['-', 'abandoned', T + 40_000],
      ['+', 'answered', T + 10_000],
      ['+', 'talked', T + 40_000],
    ]);
    expect(results).toEqual([]);
    expect(stage.refused).toEqual({ late: 0, invalid: 0 });
  });

  it('ignores a repeat of the late answer (the call is known, compact or not)', () => {
    stage.process(0, [call('live', 'call.ended', T + 2 * HOUR)]);
    stage.drain();
    stage.process(0, [call('c1', 'call.answered', T + 10_000, { agentId: 'a1' })]);
    expect(facts(stage.drain().outbox)).toEqual([]);
  });

  it('refuses an event beyond the horizon with a row and a dead letter', () => {
    stage.process(0, [call('live-2', 'call.started', T + 25 * HOUR, { queue: 'sales' })]);
    stage.drain();
    stage.process(0, [call('c1', 'call.ended', T + 30_000)]); // an earlier end: would retract the talk at 09:00
    const { results, outbox } = stage.drain();
    expect(facts(outbox)).toEqual([]);
    expect(results).toEqual([
      {
        dq: {
          tenant: 'acme',
          kind: 'call_event_beyond_horizon',
          entityType: 'call',
          entityId: 'c1',
          eventTs: T + 30_000,
          detail: { eventType: 'call.ended', streamTime: T + 25 * HOUR, graceMs: MIN, restateForMs: 24 * HOUR },
        },
      },
    ]);
    const dead = outbox.filter((o) => o.topic === 'events.calls.dlq');
    expect(dead.map((d) => d.headers?.['sb-dlq-error'])).toEqual([
      expect.stringMatching(
        /^call_event_beyond_horizon: call\.ended would change a queue window beyond the restatement/,
      ),
    ]);
    expect(stage.refused).toEqual({ late: 1, invalid: 0 });
  });
});

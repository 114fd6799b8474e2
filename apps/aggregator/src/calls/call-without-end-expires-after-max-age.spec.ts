import { DEFAULT_MAX_CALL_AGE_MS, expireCall } from './call-expiry';
import { applyCallEvent, settleCall } from './call-tracker';
import { replayCalls } from './spec-replay';
import { WaitingCalls } from './waiting-calls';

// A started call whose end never arrives must not stay in state (and in the waiting gauge) forever: once stream
// time reaches start + the maximum call age it expires. It leaves the gauge, is a `call_expired` data-quality item,
// and produces no abandoned/answered fact (it never ended); its later events are orphans.
const T = Date.UTC(2026, 10, 25, 9, 0, 0);
const AGE = 4 * 3_600_000;

describe('a call without an end expires after the maximum call age', () => {
  const waiting = replayCalls([{ type: 'call.started', callId: 'stuck', queue: 'sales', ts: T }]);
  const stuck = waiting.records.get('stuck');
  if (!stuck) throw new Error('the replay lost the call');

  it('lives until stream time reaches start + max age', () => {
    expect(DEFAULT_MAX_CALL_AGE_MS).toBe(AGE);
    expect(expireCall(stuck, T + AGE - 1, AGE)).toBeUndefined();
    expect(expireCall(stuck, T + AGE, AGE)).toBeDefined();
  });

  it('leaves the waiting gauge and is a call_expired item, with no fact', () => {
    const gauge = new WaitingCalls();
    const start = waiting.updates[0].waiting;
    if (start) gauge.apply('sales', start);
    expect(gauge.gauge()).toEqual({ waiting: 1, longestWaitingSince: T });

    const expiry = expireCall(stuck, T + AGE, AGE);
    expect(expiry).toEqual({
      waiting: { leave: { callId: 'stuck', queue: 'sales', startTs: T }, enter: null },
      dataQuality: [
        {
          kind: 'call_expired',
          entityType: 'call',
          entityId: 'stuck',
          eventTs: T,
          detail: {
            queue: 'sales',
            reason: 'no call.ended within the maximum call age',
            answerTs: null,
            maxAgeMs: AGE,
            streamTime: T + AGE,
          },
        },
      ],
    });
    if (expiry?.waiting) gauge.apply('sales', expiry.waiting);
    expect(gauge.gauge()).toEqual({ waiting: 0, longestWaitingSince: null });
    // Only the offer was ever counted: expiry adds no abandon.
    expect(waiting.rows('sales').map((r) => [r.offered, r.abandoned])).toEqual([[1, 0]]);
  });

  it('expires a talking call too, without a gauge change (it was not waiting)', () => {
    const talking = replayCalls([
      { type: 'call.started', callId: 'talk', queue: 'sales', ts: T },
      { type: 'call.answered', callId: 'talk', agentId: 'a1', ts: T + 4_000 },
    ]).records.get('talk');
    if (!talking) throw new Error('the replay lost the call');
    const expiry = expireCall(talking, T + AGE, AGE);
    expect(expiry?.waiting).toBeNull();
    expect(expiry?.dataQuality[0].detail).toMatchObject({ answerTs: T + 4_000 });
  });

  it('never expires a call that ended, nor one that never started (orphans settle instead)', () => {
    const ended = replayCalls([
      { type: 'call.started', callId: 'done', queue: 'sales', ts: T },
      { type: 'call.ended', callId: 'done', ts: T + 9_000 },
      { type: 'call.ended', callId: 'ghost', ts: T + 9_000 },
    ]);
    for (const id of ['done', 'ghost']) {
      const record = ended.records.get(id);
      if (!record) throw new Error(`the replay lost ${id}`);
      expect(expireCall(record, T + 10 * AGE, AGE)).toBeUndefined();
    }
  });

  it('makes a very late end an orphan: the call is gone, so it is not counted as abandoned', () => {
    const end = applyCallEvent(undefined, { type: 'call.ended', callId: 'stuck', ts: T + AGE + 60_000 });
    expect(end.change).toEqual({ retract: [], add: [] });
    expect(settleCall(end.record, T + AGE + 120_000).dataQuality.map((i) => [i.kind, i.detail.transition])).toEqual([
      ['orphan_call_event', 'ended'],
    ]);
  });
});

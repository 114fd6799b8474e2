import type { CallEvent } from './call-events';
import { replayCalls } from './spec-replay';

// The same transition twice is ignored; a second answer with another ts keeps the earliest answer whatever the
// arrival order, and is reported as a data-quality item instead of moving a metric.
const T = Date.UTC(2026, 10, 25, 9, 0, 0);
const started: CallEvent = { type: 'call.started', callId: 'c1', queue: 'sales', ts: T };
const answered: CallEvent = { type: 'call.answered', callId: 'c1', agentId: 'a1', ts: T + 4_000 };
const ended: CallEvent = { type: 'call.ended', callId: 'c1', ts: T + 30_000 };

describe('a duplicate answer is ignored', () => {
  it('counts an answer sent twice once, with no correction and no data-quality item', () => {
    const replay = replayCalls([started, answered, answered, ended]);
    expect(replay.updates[2]).toMatchObject({ outcome: 'duplicate', change: { retract: [], add: [] }, waiting: null });
    expect(replay.rows('sales')).toEqual([
      expect.objectContaining({ offered: 1, answered: 1, answeredWaitMsSum: 4_000 }),
    ]);
    expect(replay.dataQuality).toEqual([]);
  });

  it('keeps the earliest of two different answers in either arrival order and reports the other', () => {
    const second: CallEvent = { type: 'call.answered', callId: 'c1', agentId: 'a2', ts: T + 9_000 };
    const a = replayCalls([started, answered, second, ended]);
    const b = replayCalls([started, second, ended, answered]);
    expect(a.rows('sales')).toEqual(b.rows('sales'));
    expect(a.rows('sales')).toEqual([
      expect.objectContaining({ answered: 1, answeredWaitMsSum: 4_000, talkMsSum: 26_000, talkCount: 1 }),
    ]);
    const reported = [a.dataQuality, b.dataQuality].map((items) => items.map((i) => [i.kind, i.eventTs]));
    expect(reported).toEqual([[['conflicting_transition', T + 9_000]], [['conflicting_transition', T + 9_000]]]);
  });
});

import type { CallEvent } from './call-events';
import { replayCalls } from './spec-replay';

// call.ended arrives before call.answered: the call first looks abandoned (a live, non-final number), and the
// late answer corrects it by retracting the abandon and adding the answer and the talk time.
const T = Date.UTC(2026, 10, 25, 9, 0, 0);
const started: CallEvent = { type: 'call.started', callId: 'c1', queue: 'billing', ts: T + 10_000 };
const answered: CallEvent = { type: 'call.answered', callId: 'c1', agentId: 'a7', ts: T + 18_000 };
const ended: CallEvent = { type: 'call.ended', callId: 'c1', ts: T + 48_000 };

describe('the answer arrives after the end', () => {
  const outOfOrder = replayCalls([started, ended, answered]);

  it('first shows an abandoned call', () => {
    const afterEnd = outOfOrder.updates[1];
    expect(afterEnd.change).toEqual({
      retract: [],
      add: [{ kind: 'abandoned', callId: 'c1', queue: 'billing', ts: T + 48_000, waitMs: 38_000, short: false }],
    });
  });

  it('then retracts the abandon and adds the answer and the talk', () => {
    const afterAnswer = outOfOrder.updates[2];
    expect(afterAnswer.change).toEqual({
      retract: [{ kind: 'abandoned', callId: 'c1', queue: 'billing', ts: T + 48_000, waitMs: 38_000, short: false }],
      add: [
        { kind: 'answered', callId: 'c1', queue: 'billing', ts: T + 18_000, waitMs: 8_000 },
        { kind: 'talked', callId: 'c1', queue: 'billing', ts: T + 48_000, talkMs: 30_000 },
      ],
    });
  });

  it('ends with exactly the in-order rows, with no abandon left behind', () => {
    const inOrder = replayCalls([started, answered, ended]);
    expect(outOfOrder.rows('billing')).toEqual(inOrder.rows('billing'));
    expect(outOfOrder.rows('billing')).toEqual([
      expect.objectContaining({
        offered: 1,
        answered: 1,
        abandoned: 0,
        answeredInSla: 1,
        answeredWaitMsSum: 8_000,
        waitMsSum: 8_000,
        maxWaitMs: 8_000,
        talkMsSum: 30_000,
        talkCount: 1,
      }),
    ]);
  });
});

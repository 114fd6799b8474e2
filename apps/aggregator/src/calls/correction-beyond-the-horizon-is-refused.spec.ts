import type { CallEvent } from './call-events';
import { applyCallEvent } from './call-tracker';

// A correction is applied whole or not at all: when an event would have to change a window beyond the restatement
// horizon (stage 2 no longer keeps it), the event is refused, the call's record stays as it was, and no fact moves.
const T = Date.UTC(2026, 10, 25, 9, 0, 0);

describe('a correction beyond the restatement horizon is refused', () => {
  const started: CallEvent = { type: 'call.started', callId: 'c1', queue: 'sales', ts: T };
  const ended: CallEvent = { type: 'call.ended', callId: 'c1', ts: T + 30_000 };
  const afterStart = applyCallEvent(undefined, started);
  const afterEnd = applyCallEvent(afterStart.record, ended);

  it('refuses an answer that would retract an abandon in a window beyond the horizon', () => {
    // Inconsistent input: the answer's ts is after the end, within the horizon, but the abandon it retracts is in
    // the 09:00 window, which is beyond it.
    const answered: CallEvent = { type: 'call.answered', callId: 'c1', agentId: 'a1', ts: T + 70_000 };
    const update = applyCallEvent(afterEnd.record, answered, { horizonBefore: T + 60_000 });
    expect(update).toEqual({
      record: afterEnd.record,
      outcome: 'beyond_horizon',
      change: { retract: [], add: [] },
      waiting: null,
      dataQuality: [],
    });
  });

  it('refuses an event whose own window is beyond the horizon, and folds it in while the window is within', () => {
    const answered: CallEvent = { type: 'call.answered', callId: 'c1', agentId: 'a1', ts: T + 20_000 };
    expect(applyCallEvent(afterEnd.record, answered, { horizonBefore: T + 60_000 }).outcome).toBe('beyond_horizon');
    expect(applyCallEvent(afterEnd.record, answered, { horizonBefore: T + 59_999 }).outcome).toBe('recorded');
  });
});

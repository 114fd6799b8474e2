import type { CallEvent } from './call-events';
import { applyCallEvent } from './call-tracker';

// A correction is applied whole or not at all: when an event would have to change a window that is already
// final (sealed), the event is late, the call's record stays as it was, and no fact moves.
const T = Date.UTC(2026, 10, 25, 9, 0, 0);

describe('a correction into a final window is late', () => {
  const started: CallEvent = { type: 'call.started', callId: 'c1', queue: 'sales', ts: T };
  const ended: CallEvent = { type: 'call.ended', callId: 'c1', ts: T + 30_000 };
  const afterStart = applyCallEvent(undefined, started);
  const afterEnd = applyCallEvent(afterStart.record, ended);

  it('refuses an answer that would retract an abandon already in a final row', () => {
    // Inconsistent input: the answer's ts is after the end, in an open window, but the abandon it retracts is
    // in the sealed 09:00 window.
    const answered: CallEvent = { type: 'call.answered', callId: 'c1', agentId: 'a1', ts: T + 70_000 };
    const update = applyCallEvent(afterEnd.record, answered, { sealedBefore: T + 60_000 });
    expect(update).toEqual({
      record: afterEnd.record,
      outcome: 'late',
      change: { retract: [], add: [] },
      waiting: null,
      dataQuality: [],
    });
  });

  it('refuses an event whose own ts is sealed, and accepts the same event while its window is open', () => {
    const answered: CallEvent = { type: 'call.answered', callId: 'c1', agentId: 'a1', ts: T + 20_000 };
    expect(applyCallEvent(afterEnd.record, answered, { sealedBefore: T + 60_000 }).outcome).toBe('late');
    expect(applyCallEvent(afterEnd.record, answered, { sealedBefore: T }).outcome).toBe('recorded');
  });
});

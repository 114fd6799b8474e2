import type { CallEvent } from './call-events';
import { applyCallEvent, type CallRecord } from './call-tracker';
import { WaitingCalls } from './waiting-calls';

// The live gauge per queue: calls waiting now and the start of the longest-waiting one. Out-of-order events
// never leave a ghost caller behind.
const T = Date.UTC(2026, 10, 25, 9, 0, 0);

function feed(events: CallEvent[]): WaitingCalls {
  const gauge = new WaitingCalls();
  const records = new Map<string, CallRecord>();
  for (const event of events) {
    const update = applyCallEvent(records.get(event.callId), event);
    records.set(event.callId, update.record);
    if (update.waiting) gauge.apply('sales', update.waiting);
  }
  return gauge;
}

describe('the waiting-calls gauge', () => {
  it('counts started calls until they are answered or end, and knows the longest waiting', () => {
    const gauge = feed([
      { type: 'call.started', callId: 'c1', queue: 'sales', ts: T },
      { type: 'call.started', callId: 'c2', queue: 'sales', ts: T + 3_000 },
      { type: 'call.started', callId: 'c3', queue: 'sales', ts: T + 5_000 },
      { type: 'call.answered', callId: 'c1', agentId: 'a1', ts: T + 9_000 },
      { type: 'call.started', callId: 'other', queue: 'support', ts: T - 60_000 },
    ]);
    expect(gauge.gauge()).toEqual({ waiting: 2, longestWaitingSince: T + 3_000 });
  });

  it('never shows a call whose end arrived before its start', () => {
    const gauge = feed([
      { type: 'call.ended', callId: 'c1', ts: T + 4_000 },
      { type: 'call.started', callId: 'c1', queue: 'sales', ts: T },
    ]);
    expect(gauge.gauge()).toEqual({ waiting: 0, longestWaitingSince: null });
  });

  it('expires calls whose end was lost', () => {
    const gauge = feed([
      { type: 'call.started', callId: 'lost', queue: 'sales', ts: T },
      { type: 'call.started', callId: 'fresh', queue: 'sales', ts: T + 3_600_000 },
    ]);
    expect(gauge.expire(T + 60_000)).toEqual(['lost']);
    expect(gauge.gauge()).toEqual({ waiting: 1, longestWaitingSince: T + 3_600_000 });
  });
});

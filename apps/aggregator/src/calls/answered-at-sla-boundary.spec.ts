import type { CallEvent } from './call-events';
import { averageSpeedOfAnswerMs, serviceLevel } from './derived-metrics';
import { replayCalls } from './spec-replay';

// A wait of exactly slaSeconds is in SLA (≤); one millisecond more is not.
const T = Date.UTC(2026, 10, 25, 10, 0, 0);

const events: CallEvent[] = [
  { type: 'call.started', callId: 'at-sla', queue: 'sales', ts: T },
  { type: 'call.answered', callId: 'at-sla', agentId: 'a1', ts: T + 20_000 },
  { type: 'call.started', callId: 'over-sla', queue: 'sales', ts: T + 1_000 },
  { type: 'call.answered', callId: 'over-sla', agentId: 'a2', ts: T + 21_001 },
];

describe('answered at the SLA boundary', () => {
  it('counts a wait equal to the default 20 s SLA as in SLA and 20.001 s as outside', () => {
    const [row] = replayCalls(events).rows('sales');
    expect(row).toEqual({
      windowStart: T,
      windowEnd: T + 60_000,
      isFinal: false,
      offered: 2,
      answered: 2,
      abandoned: 0,
      answeredInSla: 1,
      abandonedShort: 0,
      answeredWaitMsSum: 40_001,
      waitMsSum: 40_001,
      maxWaitMs: 20_001,
      talkMsSum: 0,
      talkCount: 0,
    });
    expect(serviceLevel(row)).toBe(0.5);
    expect(averageSpeedOfAnswerMs(row)).toBe(20_000.5);
  });

  it("uses the queue's own slaSeconds when given", () => {
    const [row] = replayCalls(events, (queue) => (queue === 'sales' ? 30 : undefined)).rows('sales');
    expect(row.answeredInSla).toBe(2);
  });
});

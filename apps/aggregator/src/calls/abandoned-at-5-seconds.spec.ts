import type { CallEvent } from './call-events';
import { abandonRate, serviceLevel } from './derived-metrics';
import { replayCalls } from './spec-replay';

// Abandoned with a wait of exactly 5 s is short (≤ 5 s); 5.001 s is not. Short abandons leave the SLA base.
const T = Date.UTC(2026, 10, 25, 10, 0, 0);

describe('abandoned at 5 seconds', () => {
  const replay = replayCalls([
    { type: 'call.started', callId: 'short', queue: 'support', ts: T + 1_000 },
    { type: 'call.ended', callId: 'short', ts: T + 6_000 },
    { type: 'call.started', callId: 'long', queue: 'support', ts: T + 2_000 },
    { type: 'call.ended', callId: 'long', ts: T + 7_001 },
    { type: 'call.started', callId: 'served', queue: 'support', ts: T + 3_000 },
    { type: 'call.answered', callId: 'served', agentId: 'a1', ts: T + 13_000 },
  ] satisfies CallEvent[]);

  it('counts a 5.000 s wait as abandoned_short and a 5.001 s wait as a plain abandon', () => {
    const [row] = replay.rows('support');
    expect(row).toMatchObject({
      offered: 3,
      answered: 1,
      abandoned: 2,
      abandonedShort: 1,
      answeredInSla: 1,
      answeredWaitMsSum: 10_000,
      waitMsSum: 5_000 + 5_001 + 10_000,
      maxWaitMs: 10_000,
    });
  });

  it('leaves the short abandon out of the service level base', () => {
    const [row] = replay.rows('support');
    // 1 in SLA / (1 answered + 2 abandoned − 1 short)
    expect(serviceLevel(row)).toBe(0.5);
    expect(abandonRate(row)).toBeCloseTo(2 / 3, 12);
  });
});

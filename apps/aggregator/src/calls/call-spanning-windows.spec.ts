import { averageCallDurationMs } from './derived-metrics';
import { replayCalls } from './spec-replay';

// Each quantity lands in the window of the timestamp PRODUCT.md names: start, answer or end.
const T = Date.UTC(2026, 10, 25, 12, 0, 0);

describe('a call spanning several 1-minute windows', () => {
  it('puts offered at start, the answer and its wait at answer, the talk at end', () => {
    const replay = replayCalls([
      { type: 'call.started', callId: 'c1', queue: 'sales', ts: T + 50_000 }, // 12:00:50
      { type: 'call.answered', callId: 'c1', agentId: 'a1', ts: T + 65_000 }, // 12:01:05, waited 15 s
      { type: 'call.ended', callId: 'c1', ts: T + 200_000 }, // 12:03:20, talked 135 s
    ]);
    const rows = replay.rows('sales');
    const zero = {
      offered: 0,
      answered: 0,
      abandoned: 0,
      answeredInSla: 0,
      abandonedShort: 0,
      answeredWaitMsSum: 0,
      waitMsSum: 0,
      maxWaitMs: null,
      talkMsSum: 0,
      talkCount: 0,
      isFinal: false,
    };
    expect(rows).toEqual([
      { ...zero, windowStart: T, windowEnd: T + 60_000, offered: 1 },
      {
        ...zero,
        windowStart: T + 60_000,
        windowEnd: T + 120_000,
        answered: 1,
        answeredInSla: 1,
        answeredWaitMsSum: 15_000,
        waitMsSum: 15_000,
        maxWaitMs: 15_000,
      },
      { ...zero, windowStart: T + 180_000, windowEnd: T + 240_000, talkMsSum: 135_000, talkCount: 1 },
    ]);
    expect(averageCallDurationMs(rows[2])).toBe(135_000);
  });

  it('treats window boundaries as half-open: an event at exactly :00 belongs to the new minute', () => {
    const replay = replayCalls([
      { type: 'call.started', callId: 'c2', queue: 'sales', ts: T + 59_999 },
      { type: 'call.ended', callId: 'c2', ts: T + 60_000 },
    ]);
    expect(replay.rows('sales').map((r) => [r.windowStart, r.offered, r.abandoned, r.abandonedShort])).toEqual([
      [T, 1, 0, 0],
      [T + 60_000, 0, 1, 1],
    ]);
  });
});

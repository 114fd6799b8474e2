import {
  abandonRate,
  averageCallDurationMs,
  averageSpeedOfAnswerMs,
  serviceLevel,
  sumQueueStats,
} from './derived-metrics';
import { QueueWindow } from './queue-window';

// Derived metrics are computed from sums and counts; with no data they are null (unknown), never 0 % or NaN.
describe('derived metrics', () => {
  it('are null when their denominator is zero', () => {
    const empty = QueueWindow.empty().columns();
    expect([
      averageSpeedOfAnswerMs(empty),
      averageCallDurationMs(empty),
      serviceLevel(empty),
      abandonRate(empty),
    ]).toEqual([null, null, null, null]);
  });

  it('combine several windows by summing columns first (not by averaging averages)', () => {
    const base = QueueWindow.empty().columns();
    const total = sumQueueStats([
      { ...base, offered: 1, answered: 1, answeredWaitMsSum: 2_000, maxWaitMs: 2_000 },
      { ...base, offered: 3, answered: 3, answeredWaitMsSum: 30_000, maxWaitMs: 12_000 },
    ]);
    expect(averageSpeedOfAnswerMs(total)).toBe(8_000);
    expect(total.maxWaitMs).toBe(12_000);
    expect(abandonRate(total)).toBe(0);
  });
});

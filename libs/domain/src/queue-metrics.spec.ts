import { derivedQueueMetrics, EMPTY_QUEUE_STATS, sumQueueStats } from './queue-metrics';

const none = EMPTY_QUEUE_STATS;

describe('derivedQueueMetrics', () => {
  it('is null for every metric without data (no data is not 0 %)', () => {
    expect(derivedQueueMetrics(none)).toEqual({
      asaMs: null,
      averageCallDurationMs: null,
      serviceLevel: null,
      abandonRate: null,
    });
  });

  it('divides sums as PRODUCT.md defines, short abandons left out of the service level', () => {
    const row = {
      ...none,
      offered: 10,
      answered: 6,
      abandoned: 4,
      answeredInSla: 3,
      abandonedShort: 2,
      answeredWaitMsSum: 90_000,
      talkMsSum: 600_000,
      talkCount: 4,
    };
    // ASA 90 000 / 6; duration 600 000 / 4; SL 3 / (6 + 4 − 2); abandon 4 / 10.
    expect(derivedQueueMetrics(row)).toEqual({
      asaMs: 15_000,
      averageCallDurationMs: 150_000,
      serviceLevel: 0.375,
      abandonRate: 0.4,
    });
  });

  it('over several windows sums first, then divides (never averages averages)', () => {
    const total = sumQueueStats([
      { ...none, offered: 1, answered: 1, answeredInSla: 1, answeredWaitMsSum: 1_000, maxWaitMs: 1_000 },
      { ...none, offered: 3, answered: 3, answeredWaitMsSum: 60_000, maxWaitMs: 30_000 },
    ]);
    expect(total.maxWaitMs).toBe(30_000);
    expect(derivedQueueMetrics(total).asaMs).toBe(61_000 / 4);
    expect(derivedQueueMetrics(total).serviceLevel).toBe(0.25);
  });
});

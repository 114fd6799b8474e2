import type { CallFact } from './call-facts';
import { QueueStatsWindows } from './queue-stats-windows';

// Rows are emitted live as they change (is_final false) and once more as final when stream time seals the window;
// facts for a sealed window are late and never change a final row.
const T = Date.UTC(2026, 10, 25, 9, 0, 0);
const offered = (callId: string, ts: number): CallFact => ({ kind: 'offered', callId, queue: 'sales', ts });

describe('queue windows seal as final', () => {
  it('emits changed rows live, then final rows once, then treats older facts as late', () => {
    const windows = new QueueStatsWindows();
    const live = windows.apply([
      { sign: 1, fact: offered('c1', T + 1_000) },
      { sign: 1, fact: offered('c2', T + 61_000) },
    ]);
    expect(live.changed.map((r) => [r.windowStart, r.offered, r.isFinal])).toEqual([
      [T, 1, false],
      [T + 60_000, 1, false],
    ]);

    expect(windows.seal(T + 60_000).map((r) => [r.windowStart, r.offered, r.isFinal])).toEqual([[T, 1, true]]);
    expect(windows.seal(T + 60_000)).toEqual([]);

    const late = windows.apply([{ sign: 1, fact: offered('c3', T + 59_999) }]);
    expect(late).toEqual({ changed: [], late: [{ sign: 1, fact: offered('c3', T + 59_999) }] });
    expect(windows.openRows().map((r) => r.windowStart)).toEqual([T + 60_000]);
  });

  it('restores from a JSON snapshot with the same sealing point', () => {
    const windows = new QueueStatsWindows();
    windows.apply([{ sign: 1, fact: offered('c1', T + 61_000) }]);
    windows.seal(T + 60_000);
    const restored = new QueueStatsWindows(JSON.parse(JSON.stringify(windows.snapshot())));
    expect(restored.apply([{ sign: 1, fact: offered('c2', T) }]).late).toHaveLength(1);
    expect(restored.seal(T + 120_000)).toEqual([expect.objectContaining({ windowStart: T + 60_000, offered: 1 })]);
  });
});

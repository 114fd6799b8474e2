import { CallDomainError } from './call-errors';
import type { JudgedCallFact } from './call-facts';
import { QueueWindow } from './queue-window';

// max_wait_ms supports retraction: the window keeps the multiset of waits, so retracting the longest wait brings
// back the next one (and an impossible retraction is refused without touching the window).
const T = Date.UTC(2026, 10, 25, 9, 0, 0);
const answered = (callId: string, waitMs: number): JudgedCallFact => ({
  kind: 'answered',
  callId,
  queue: 'sales',
  ts: T + 30_000,
  waitMs,
  inSla: waitMs <= 20_000,
});

describe('retracting the longest wait restores the previous maximum', () => {
  it('falls back to the next-longest wait, counting equal waits separately', () => {
    const window = QueueWindow.empty();
    for (const fact of [answered('c1', 12_000), answered('c2', 40_000), answered('c3', 12_000)]) window.add(fact);
    expect(window.columns().maxWaitMs).toBe(40_000);
    window.retract(answered('c2', 40_000));
    expect(window.columns()).toMatchObject({ maxWaitMs: 12_000, answered: 2, answeredInSla: 2, waitMsSum: 24_000 });
    window.retract(answered('c1', 12_000));
    expect(window.columns().maxWaitMs).toBe(12_000);
    window.retract(answered('c3', 12_000));
    expect(window.columns().maxWaitMs).toBeNull();
    expect(window.isEmpty()).toBe(true);
  });

  it('refuses to retract a fact it never counted, leaving the window unchanged', () => {
    const window = QueueWindow.empty();
    window.add(answered('c1', 12_000));
    const before = window.snapshot();
    const never: JudgedCallFact = {
      kind: 'abandoned',
      callId: 'c9',
      queue: 'sales',
      ts: T,
      waitMs: 12_000,
      short: false,
    };
    expect(() => window.retract(never)).toThrow(CallDomainError);
    expect(window.snapshot()).toEqual(before);
  });

  it('survives a snapshot round trip through JSON', () => {
    const window = QueueWindow.empty();
    window.add(answered('c1', 7_000));
    const restored = QueueWindow.fromSnapshot(JSON.parse(JSON.stringify(window.snapshot())));
    restored.retract(answered('c1', 7_000));
    expect(restored.isEmpty()).toBe(true);
  });
});

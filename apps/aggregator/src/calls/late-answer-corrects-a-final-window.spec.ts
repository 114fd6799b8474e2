import type { CallEvent } from './call-events';
import { applyCallEvent } from './call-tracker';

// Accepted means counted: an answer arriving after the call was counted abandoned in a window that is final
// downstream (sealed, an hour ago) is folded in exactly as in order — the abandon is retracted, the answer and the
// talk are added — as long as the windows it touches are within the restatement horizon. Stage 2 restates them.
const T = Date.UTC(2026, 10, 25, 9, 0, 0);
const HOUR = 3_600_000;

describe('a late answer corrects a call counted abandoned in a final window', () => {
  const started: CallEvent = { type: 'call.started', callId: 'c1', queue: 'sales', ts: T };
  const ended: CallEvent = { type: 'call.ended', callId: 'c1', ts: T + 90_000 };
  const answered: CallEvent = { type: 'call.answered', callId: 'c1', agentId: 'a1', ts: T + 15_000 };
  const inOrder = [started, answered, ended].reduce(
    (r, e) => applyCallEvent(r, e).record,
    undefined as ReturnType<typeof applyCallEvent>['record'] | undefined,
  );

  it('retracts the abandon and adds the answer and the talk, whatever final windows they are in', () => {
    const abandoned = applyCallEvent(applyCallEvent(undefined, started).record, ended).record;
    // Stream time is an hour past: both windows are final; the horizon (7 days) is far behind them.
    const update = applyCallEvent(abandoned, answered, { horizonBefore: T + HOUR - 7 * 24 * HOUR });
    expect(update.outcome).toBe('recorded');
    expect(update.change.retract.map((f) => [f.kind, f.ts])).toEqual([['abandoned', T + 90_000]]);
    expect(update.change.add.map((f) => [f.kind, f.ts])).toEqual([
      ['answered', T + 15_000],
      ['talked', T + 90_000],
    ]);
    expect(update.record).toEqual(inOrder);
    expect(update.waiting).toBeNull();
  });
});

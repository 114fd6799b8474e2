import type { WaitingCallChange } from './call-tracker';

export interface WaitingCallsGauge {
  /** Calls waiting now (started, neither answered nor ended). */
  readonly waiting: number;
  /** Start ts (epoch ms) of the longest-waiting call; null when none waits. The dashboard ticks `now − this`. */
  readonly longestWaitingSince: number | null;
}

/**
 * The live "calls waiting" gauge of one (tenant, queue). Fed by the `waiting` changes of `applyCallEvent`
 * (leave for `leave.queue`, enter for `enter.queue`), so out-of-order events never leave a ghost caller behind.
 * Keeps callId → start ts; the minimum is found by a scan because a queue rarely has more than hundreds waiting.
 */
export class WaitingCalls {
  private readonly calls: Map<string, number>;

  constructor(snapshot: ReadonlyArray<readonly [callId: string, startTs: number]> = []) {
    this.calls = new Map(snapshot);
  }

  snapshot(): Array<[callId: string, startTs: number]> {
    return [...this.calls];
  }

  /** Applies the parts of a change that concern `queue`; returns whether the gauge moved. */
  apply(queue: string, change: WaitingCallChange): boolean {
    const before = this.gauge();
    if (change.leave?.queue === queue) this.calls.delete(change.leave.callId);
    if (change.enter?.queue === queue) this.calls.set(change.enter.callId, change.enter.startTs);
    const after = this.gauge();
    return before.waiting !== after.waiting || before.longestWaitingSince !== after.longestWaitingSince;
  }

  /** Forgets calls that started before `startedBefore` (a call whose end was lost must not wait forever). */
  expire(startedBefore: number): string[] {
    const expired = [...this.calls].filter(([, ts]) => ts < startedBefore).map(([id]) => id);
    for (const id of expired) this.calls.delete(id);
    return expired;
  }

  gauge(): WaitingCallsGauge {
    let longestWaitingSince: number | null = null;
    for (const ts of this.calls.values())
      if (longestWaitingSince === null || ts < longestWaitingSince) longestWaitingSince = ts;
    return { waiting: this.calls.size, longestWaitingSince };
  }
}

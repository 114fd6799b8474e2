import type { CallFact, CallFactChange } from './call-facts';
import {
  QUEUE_WINDOW_MS,
  type QueueStatsColumns,
  QueueWindow,
  type QueueWindowSnapshot,
  queueWindowStart,
} from './queue-window';

/** A fact with the direction it moves the numbers: +1 add, −1 retract. The unit sent across the repartition hop. */
export interface SignedCallFact {
  readonly sign: 1 | -1;
  readonly fact: CallFact;
}

/** Retractions first, so a window never shows the old and the new version of a call at once. */
export function toSignedFacts(change: CallFactChange): SignedCallFact[] {
  return [
    ...change.retract.map((fact) => ({ sign: -1 as const, fact })),
    ...change.add.map((fact) => ({ sign: 1 as const, fact })),
  ];
}

/** Splits a call's corrections by the queue they belong to (the stage-2 key is tenant + queue). */
export function groupByQueue(facts: readonly SignedCallFact[]): Map<string, SignedCallFact[]> {
  const byQueue = new Map<string, SignedCallFact[]>();
  for (const signed of facts) {
    const list = byQueue.get(signed.fact.queue);
    if (list) list.push(signed);
    else byQueue.set(signed.fact.queue, [signed]);
  }
  return byQueue;
}

/** One `queue_stats_1m` row's window and metric columns (tenant and queue are the caller's key). */
export interface QueueStatsRow extends QueueStatsColumns {
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly isFinal: boolean;
}

export interface QueueStatsApplyResult {
  /** The rows whose numbers changed, with their new values (`isFinal` false): upsert them. */
  readonly changed: readonly QueueStatsRow[];
  /** Facts for windows already sealed: count them as late, never apply them. */
  readonly late: readonly SignedCallFact[];
}

/**
 * The open 1-minute windows of one (tenant, queue). Applies signed facts (add and retract), emits the changed rows
 * for live upserts, and emits each window once more as final when stream time seals it.
 */
export class QueueStatsWindows {
  private readonly windows: Map<number, QueueWindow>;
  /** Windows ending at or before this are closed; null until the first seal. */
  private sealedBefore: number | null;

  constructor(snapshot?: QueueStatsWindowsSnapshot) {
    this.windows = new Map(snapshot?.windows.map(([start, w]) => [start, QueueWindow.fromSnapshot(w)]) ?? []);
    this.sealedBefore = snapshot?.sealedBefore ?? null;
  }

  snapshot(): QueueStatsWindowsSnapshot {
    return {
      sealedBefore: this.sealedBefore,
      windows: [...this.windows].map(([start, w]) => [start, w.snapshot()]),
    };
  }

  apply(facts: readonly SignedCallFact[]): QueueStatsApplyResult {
    const touched = new Set<number>();
    const late: SignedCallFact[] = [];
    for (const signed of facts) {
      const start = queueWindowStart(signed.fact.ts);
      if (this.sealedBefore !== null && start + QUEUE_WINDOW_MS <= this.sealedBefore) {
        late.push(signed);
        continue;
      }
      let window = this.windows.get(start);
      if (!window) {
        window = QueueWindow.empty();
        this.windows.set(start, window);
      }
      if (signed.sign === 1) window.add(signed.fact);
      else window.retract(signed.fact);
      touched.add(start);
    }
    const changed = [...touched].sort((a, b) => a - b).map((start) => this.row(start, false));
    return { changed, late };
  }

  /**
   * Closes every window that ends at or before `sealedBefore` (stream time − grace) and returns them as final
   * rows, oldest first. Their state is dropped. Calling it again with the same or an older time returns nothing.
   */
  seal(sealedBefore: number): QueueStatsRow[] {
    if (this.sealedBefore !== null && sealedBefore <= this.sealedBefore) return [];
    this.sealedBefore = sealedBefore;
    const closing = [...this.windows.keys()].filter((s) => s + QUEUE_WINDOW_MS <= sealedBefore).sort((a, b) => a - b);
    const rows = closing.map((start) => this.row(start, true));
    for (const start of closing) this.windows.delete(start);
    return rows;
  }

  /** Current values of the open windows, oldest first (for a dashboard snapshot). */
  openRows(): QueueStatsRow[] {
    return [...this.windows.keys()].sort((a, b) => a - b).map((start) => this.row(start, false));
  }

  private row(start: number, isFinal: boolean): QueueStatsRow {
    const window = this.windows.get(start) ?? QueueWindow.empty();
    return { windowStart: start, windowEnd: start + QUEUE_WINDOW_MS, isFinal, ...window.columns() };
  }
}

export interface QueueStatsWindowsSnapshot {
  readonly sealedBefore: number | null;
  readonly windows: ReadonlyArray<readonly [windowStart: number, window: QueueWindowSnapshot]>;
}

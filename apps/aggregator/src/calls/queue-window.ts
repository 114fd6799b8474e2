import { EMPTY_QUEUE_STATS, QUEUE_STATS_SQL_COLUMNS, type QueueStatsSums } from '@switchboard/domain';
import { CallDomainError } from './call-errors';
import type { JudgedCallFact } from './call-facts';

/** Queue statistics use 1-minute windows, half-open [start, start + 1 min), aligned to the epoch. */
export const QUEUE_WINDOW_MS = 60_000;

export function queueWindowStart(ts: number): number {
  return Math.floor(ts / QUEUE_WINDOW_MS) * QUEUE_WINDOW_MS;
}

// The row's metric columns and their SQL names live in libs/domain (the gateway reads the same rows).
export type QueueStatsColumns = QueueStatsSums;
export { QUEUE_STATS_SQL_COLUMNS };

type Counters = { -readonly [K in Exclude<keyof QueueStatsColumns, 'maxWaitMs'>]: number };

/**
 * The accumulator of one (tenant, queue, window): every column supports add and retract. `max_wait_ms` cannot be
 * un-maxed from a number, so the window keeps the multiset of waits (wait ms → count); windows hold at most a
 * minute of calls, so this stays small. Plain JSON-able data (`snapshot`/`fromSnapshot`).
 */
export class QueueWindow {
  private readonly counters: Counters;
  private readonly waits: Map<number, number>;

  private constructor(counters: Counters, waits: Map<number, number>) {
    this.counters = counters;
    this.waits = waits;
  }

  static empty(): QueueWindow {
    // max_wait_ms is not a counter: the window derives it from its waits.
    const { maxWaitMs: _derived, ...counters } = EMPTY_QUEUE_STATS;
    return new QueueWindow(counters, new Map());
  }

  static fromSnapshot(snapshot: QueueWindowSnapshot): QueueWindow {
    return new QueueWindow({ ...snapshot.counters }, new Map(snapshot.waits));
  }

  snapshot(): QueueWindowSnapshot {
    return { counters: { ...this.counters }, waits: [...this.waits] };
  }

  add(fact: JudgedCallFact): void {
    this.apply(fact, 1);
  }

  /** Undoes an earlier `add` of an identical fact; throws CallDomainError when that fact was never added. */
  retract(fact: JudgedCallFact): void {
    this.apply(fact, -1);
  }

  /** True when every contribution was retracted (the row would be all zeros). */
  isEmpty(): boolean {
    return Object.values(this.counters).every((v) => v === 0) && this.waits.size === 0;
  }

  columns(): QueueStatsColumns {
    let maxWaitMs: number | null = null;
    for (const wait of this.waits.keys()) if (maxWaitMs === null || wait > maxWaitMs) maxWaitMs = wait;
    return { ...this.counters, maxWaitMs };
  }

  /** All-or-nothing: a refused retraction leaves the window untouched. */
  private apply(fact: JudgedCallFact, sign: 1 | -1): void {
    const { deltas, waitMs } = contributionOf(fact);
    for (const [column, delta] of deltas) {
      if (this.counters[column] + sign * delta < 0) throw retractionError(column, fact);
    }
    const waitCount = waitMs === null ? 0 : (this.waits.get(waitMs) ?? 0) + sign;
    if (waitMs !== null && waitCount < 0) throw retractionError('maxWaitMs', fact);

    for (const [column, delta] of deltas) this.counters[column] += sign * delta;
    if (waitMs === null) return;
    if (waitCount === 0) this.waits.delete(waitMs);
    else this.waits.set(waitMs, waitCount);
  }
}

/** What one fact adds to the columns of its window (PRODUCT.md, "Metric definitions"). */
function contributionOf(fact: JudgedCallFact): { deltas: Array<[keyof Counters, number]>; waitMs: number | null } {
  switch (fact.kind) {
    case 'offered':
      return { deltas: [['offered', 1]], waitMs: null };
    case 'answered':
      return {
        deltas: [
          ['answered', 1],
          ['answeredInSla', fact.inSla ? 1 : 0],
          ['answeredWaitMsSum', fact.waitMs],
          ['waitMsSum', fact.waitMs],
        ],
        waitMs: fact.waitMs,
      };
    case 'abandoned':
      return {
        deltas: [
          ['abandoned', 1],
          ['abandonedShort', fact.short ? 1 : 0],
          ['waitMsSum', fact.waitMs],
        ],
        waitMs: fact.waitMs,
      };
    case 'talked':
      return {
        deltas: [
          ['talkMsSum', fact.talkMs],
          ['talkCount', 1],
        ],
        waitMs: null,
      };
  }
}

export interface QueueWindowSnapshot {
  readonly counters: Readonly<Counters>;
  readonly waits: ReadonlyArray<readonly [waitMs: number, count: number]>;
}

function retractionError(column: string, fact: JudgedCallFact): CallDomainError {
  return new CallDomainError('retracted a call fact that was never added to this window', {
    column,
    kind: fact.kind,
    callId: fact.callId,
    queue: fact.queue,
    ts: fact.ts,
  });
}

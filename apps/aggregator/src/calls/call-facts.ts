import type { CallState } from './call-state';

/** `abandoned_short`: abandoned with a wait of at most this (PRODUCT.md). */
export const ABANDONED_SHORT_MAX_WAIT_MS = 5_000;

/**
 * One contribution of one call to the queue statistics, at the timestamp PRODUCT.md attributes it to.
 * A call yields at most one fact of each kind. Facts carry everything the window accumulator needs
 * but the SLA verdict (stage 2 judges it: JudgedCallFact), so a retraction removes exactly what its addition added.
 */
export type CallFact = OfferedFact | AnsweredFact | AbandonedFact | TalkedFact;

interface FactBase {
  readonly callId: string;
  readonly queue: string;
  /** The event time the fact is attributed to (its window). */
  readonly ts: number;
}

/** `offered` at start ts. */
export interface OfferedFact extends FactBase {
  readonly kind: 'offered';
}

/** `answered`, `answered_wait_ms_sum`, and the wait for `wait_ms_sum`/`max_wait_ms`, at answer ts. */
export interface AnsweredFact extends FactBase {
  readonly kind: 'answered';
  readonly waitMs: number;
}

/**
 * A fact as a queue window counts it: an answered call carries its in-SLA verdict (`answered_in_sla`), judged by
 * stage 2 with the queue's SLA at the fact's time (pipelines/queue-sla-aggregator.ts) — the call stage cannot know
 * the SLA of a queue whose properties land on another partition, so its facts carry none.
 */
export type JudgedCallFact = Exclude<CallFact, AnsweredFact> | (AnsweredFact & { readonly inSla: boolean });

/** `abandoned`, `abandoned_short`, and the wait for `wait_ms_sum`/`max_wait_ms`, at end ts. */
export interface AbandonedFact extends FactBase {
  readonly kind: 'abandoned';
  readonly waitMs: number;
  readonly short: boolean;
}

/** `talk_ms_sum`, `talk_count` of an answered call that ended, at end ts. */
export interface TalkedFact extends FactBase {
  readonly kind: 'talked';
  readonly talkMs: number;
}

/**
 * The facts a call contributes given what is known about it now. Live numbers come from this before a call is
 * complete: a call known as started + ended looks abandoned until its (late-arriving) answer turns it into
 * answered + talked; `diffCallFacts` turns that into retractions and additions.
 *
 * Without `started` there is no fact: the call is not counted (it becomes a data-quality item when sealed).
 * Contradictory times (answer before start, end before answer) are clamped to 0 ms, never negative.
 */
export function deriveCallFacts(state: CallState): CallFact[] {
  const { started, answered, ended } = state;
  if (!started) return [];
  const base = { callId: state.callId, queue: started.queue };
  const facts: CallFact[] = [{ ...base, kind: 'offered', ts: started.ts }];
  if (answered) {
    const waitMs = nonNegative(answered.ts - started.ts);
    facts.push({ ...base, kind: 'answered', ts: answered.ts, waitMs });
    if (ended) facts.push({ ...base, kind: 'talked', ts: ended.ts, talkMs: nonNegative(ended.ts - answered.ts) });
  } else if (ended) {
    const waitMs = nonNegative(ended.ts - started.ts);
    facts.push({ ...base, kind: 'abandoned', ts: ended.ts, waitMs, short: waitMs <= ABANDONED_SHORT_MAX_WAIT_MS });
  }
  return facts;
}

/** Corrections from one fact set to the next: apply `retract` with sign −1, then `add` with sign +1. */
export interface CallFactChange {
  readonly retract: readonly CallFact[];
  readonly add: readonly CallFact[];
}

export const NO_CHANGE: CallFactChange = Object.freeze({ retract: [], add: [] });

export function diffCallFacts(previous: readonly CallFact[], next: readonly CallFact[]): CallFactChange {
  const previousKeys = new Set(previous.map(factKey));
  const nextKeys = new Set(next.map(factKey));
  const retract = previous.filter((f) => !nextKeys.has(factKey(f)));
  const add = next.filter((f) => !previousKeys.has(factKey(f)));
  return retract.length === 0 && add.length === 0 ? NO_CHANGE : { retract, add };
}

/** A fact's full identity: two facts with the same key contribute exactly the same numbers. */
export function factKey(fact: CallFact): string {
  const head = `${fact.kind}|${fact.callId}|${fact.queue}|${fact.ts}`;
  switch (fact.kind) {
    case 'offered':
      return head;
    case 'answered':
      return `${head}|${fact.waitMs}`;
    case 'abandoned':
      return `${head}|${fact.waitMs}|${fact.short}`;
    case 'talked':
      return `${head}|${fact.talkMs}`;
  }
}

function nonNegative(ms: number): number {
  return Math.max(ms, 0);
}

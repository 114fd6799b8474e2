import type { CallEvent } from './call-events';
import { type CallFact, type CallFactChange, deriveCallFacts, diffCallFacts, NO_CHANGE } from './call-facts';
import { type CallState, emptyCallState, type RecordOutcome, recordCallEvent } from './call-state';
import type { DataQualityItem } from './data-quality';
import { QUEUE_WINDOW_MS, queueWindowStart } from './queue-window';

/** A call that is waiting (started, neither answered nor ended), as the waiting-calls gauge sees it. */
export interface WaitingCall {
  readonly callId: string;
  readonly queue: string;
  readonly startTs: number;
}

/** What the gauge of `leave.queue` must forget and the gauge of `enter.queue` must learn. */
export interface WaitingCallChange {
  readonly leave: WaitingCall | null;
  readonly enter: WaitingCall | null;
}

/**
 * The per-call state a keyed engine keeps (key = tenant + callId). Plain JSON-able data.
 * `facts` and `waiting` are what was emitted downstream, so every correction retracts exactly what was sent.
 */
export interface CallRecord {
  readonly state: CallState;
  readonly facts: readonly CallFact[];
  readonly waiting: WaitingCall | null;
}

export interface CallApplyOptions {
  /**
   * The restatement horizon: windows ending at or before this can no longer be restated downstream (stage 2 has
   * forgotten them). An event whose correction would touch such a window is refused as a whole
   * (`beyond_horizon`), so a correction is never half applied (e.g. an answer that would have to retract an
   * abandon nobody can take back any more). Any window after it — final or not — takes the correction: a final
   * one is restated downstream.
   */
  readonly horizonBefore?: number;
}

/** `beyond_horizon`: the event would change a window past the restatement horizon; the record is unchanged. */
export type CallOutcome = RecordOutcome | 'beyond_horizon';

export interface CallUpdate {
  readonly record: CallRecord;
  readonly outcome: CallOutcome;
  /** Queue-statistics corrections, to be regrouped by (tenant, fact.queue). Empty when nothing changed. */
  readonly change: CallFactChange;
  /** Waiting-gauge correction, or null when the call's waiting status did not change. */
  readonly waiting: WaitingCallChange | null;
  readonly dataQuality: readonly DataQualityItem[];
}

export function newCallRecord(callId: string): CallRecord {
  return { state: emptyCallState(callId), facts: [], waiting: null };
}

/**
 * Folds one event into a call's record. Any arrival order of the same events ends in the same record and the
 * same net facts (the sum of all emitted changes); duplicates change nothing.
 */
export function applyCallEvent(
  record: CallRecord | undefined,
  event: CallEvent,
  options: CallApplyOptions = {},
): CallUpdate {
  const current = record ?? newCallRecord(event.callId);
  const { horizonBefore } = options;
  if (horizonBefore !== undefined && isBeyond(event.ts, horizonBefore)) return beyondHorizon(current);
  const { state, outcome, changed } = recordCallEvent(current.state, event);
  const dataQuality = outcome === 'conflict' ? [conflictItem(current.state, event, changed)] : [];
  if (!changed) return { record: current, outcome, change: NO_CHANGE, waiting: null, dataQuality };

  const facts = deriveCallFacts(state);
  const change = diffCallFacts(current.facts, facts);
  if (horizonBefore !== undefined && [...change.retract, ...change.add].some((f) => isBeyond(f.ts, horizonBefore))) {
    return beyondHorizon(current);
  }
  const waiting = waitingOf(state);
  return {
    record: { state, facts, waiting },
    outcome,
    change,
    waiting: sameWaiting(current.waiting, waiting) ? null : { leave: current.waiting, enter: waiting },
    dataQuality,
  };
}

export interface CallSettlement {
  /**
   * True when all the call's known transitions are in final windows and it cannot grow by itself any more: the
   * engine keeps it compact (`compactCall`) until the restatement horizon, for late events.
   */
  readonly settled: boolean;
  readonly dataQuality: readonly DataQualityItem[];
}

/**
 * Called when stream time has sealed everything before `sealedBefore` (stream time − grace, aligned to a window
 * start). A call is settled when all its known transitions are sealed and it cannot grow any more: either it
 * ended, or its start never came (then its events become `orphan_call_event` items and no metric — until a late
 * start within the horizon arrives: then the call counts, and the orphan rows stay as what was true then).
 * A started call that has not ended stays open (it is still waiting or talking).
 */
export function settleCall(record: CallRecord, sealedBefore: number): CallSettlement {
  const { started, answered, ended } = record.state;
  const times = [started?.ts, answered?.ts, ended?.ts].filter((t): t is number => t !== undefined);
  if (times.some((t) => t >= sealedBefore)) return { settled: false, dataQuality: [] };
  if (!started) return { settled: true, dataQuality: orphanItems(record.state) };
  if (!ended) return { settled: false, dataQuality: [] };
  return { settled: true, dataQuality: inconsistencyItems(record.state) };
}

function isBeyond(ts: number, horizonBefore: number): boolean {
  return queueWindowStart(ts) + QUEUE_WINDOW_MS <= horizonBefore;
}

function beyondHorizon(record: CallRecord): CallUpdate {
  return { record, outcome: 'beyond_horizon', change: NO_CHANGE, waiting: null, dataQuality: [] };
}

/**
 * A settled call as the engine keeps it until the restatement horizon: its transitions only,
 * `[queue, startTs, agentId, answerTs, endTs]` (null = not known). Its call id is the store's key, its facts are
 * re-derived (`deriveCallFacts` of the same state and options gives exactly what was emitted) and it is not
 * waiting (it ended, or never started). About a third of a full `CallRecord` (apps/aggregator/src/README.md).
 */
export type SettledCall = readonly [
  queue: string | null,
  startTs: number | null,
  agentId: string | null,
  answerTs: number | null,
  endTs: number | null,
];

/** The compact form of a settled record (`settleCall` said `settled`). */
export function compactCall(record: CallRecord): SettledCall {
  const { started, answered, ended } = record.state;
  return [
    started?.queue ?? null,
    started?.ts ?? null,
    answered?.agentId ?? null,
    answered?.ts ?? null,
    ended?.ts ?? null,
  ];
}

/**
 * The full record of a compact one, so a late event folds in exactly as it would have in order (its facts are
 * re-derived: `deriveCallFacts` of the same state gives exactly what was emitted).
 */
export function expandCall(callId: string, settled: SettledCall): CallRecord {
  const [queue, startTs, agentId, answerTs, endTs] = settled;
  const state: CallState = {
    callId,
    ...(queue !== null && startTs !== null ? { started: { queue, ts: startTs } } : {}),
    ...(agentId !== null && answerTs !== null ? { answered: { agentId, ts: answerTs } } : {}),
    ...(endTs !== null ? { ended: { ts: endTs } } : {}),
  };
  return { state, facts: deriveCallFacts(state), waiting: waitingOf(state) };
}

function waitingOf(state: CallState): WaitingCall | null {
  if (!state.started || state.answered || state.ended) return null;
  return { callId: state.callId, queue: state.started.queue, startTs: state.started.ts };
}

function sameWaiting(a: WaitingCall | null, b: WaitingCall | null): boolean {
  if (a === null || b === null) return a === b;
  return a.queue === b.queue && a.startTs === b.startTs;
}

/** Reports the version that lost, so the set of reported items does not depend on arrival order. */
function conflictItem(before: CallState, event: CallEvent, newEventWon: boolean): DataQualityItem {
  const transition = event.type.slice('call.'.length) as 'started' | 'answered' | 'ended';
  const discardedTs = newEventWon ? (before[transition]?.ts ?? event.ts) : event.ts;
  return {
    kind: 'conflicting_transition',
    entityType: 'call',
    entityId: event.callId,
    eventTs: discardedTs,
    detail: { transition, keptTs: newEventWon ? event.ts : (before[transition]?.ts ?? null), discardedTs },
  };
}

function orphanItems(state: CallState): DataQualityItem[] {
  const items: DataQualityItem[] = [];
  const orphan = (transition: string, ts: number, extra: Record<string, string> = {}): DataQualityItem => ({
    kind: 'orphan_call_event',
    entityType: 'call',
    entityId: state.callId,
    eventTs: ts,
    detail: { transition, reason: 'call.started never arrived', ...extra },
  });
  if (state.answered) items.push(orphan('answered', state.answered.ts, { agentId: state.answered.agentId }));
  if (state.ended) items.push(orphan('ended', state.ended.ts));
  return items;
}

function inconsistencyItems(state: CallState): DataQualityItem[] {
  const { started, answered, ended } = state;
  const items: DataQualityItem[] = [];
  const item = (problem: string, ts: number): DataQualityItem => ({
    kind: 'inconsistent_call_times',
    entityType: 'call',
    entityId: state.callId,
    eventTs: ts,
    detail: { problem, startTs: started?.ts ?? null, answerTs: answered?.ts ?? null, endTs: ended?.ts ?? null },
  });
  if (started && answered && answered.ts < started.ts) items.push(item('answered before started', answered.ts));
  const waitEnd = answered ?? started;
  if (waitEnd && ended && ended.ts < waitEnd.ts) items.push(item('ended before answered/started', ended.ts));
  return items;
}

import { CallDomainError } from './call-errors';
import type { CallEvent } from './call-events';

/**
 * What is known about one call: at most one of each transition. Plain data, so it can be checkpointed as JSON.
 *
 * Keeping the *earliest* version of each transition (ties broken by content) makes the state a function of the
 * set of events received, not of their arrival order: that is what makes out-of-order input give the in-order
 * result.
 */
export interface CallState {
  readonly callId: string;
  readonly started?: { readonly queue: string; readonly ts: number };
  readonly answered?: { readonly agentId: string; readonly ts: number };
  readonly ended?: { readonly ts: number };
}

/**
 * - `recorded`: the event told something new (a transition not seen before, or an earlier version of one).
 * - `duplicate`: the same transition with the same content again (a retry); nothing changes.
 * - `conflict`: the same transition with different content; the earliest version is kept either way,
 *   which may or may not be the new event (see `changed`).
 */
export type RecordOutcome = 'recorded' | 'duplicate' | 'conflict';

export interface RecordResult {
  readonly state: CallState;
  readonly outcome: RecordOutcome;
  /** Whether `state` differs from the input state. */
  readonly changed: boolean;
}

export function emptyCallState(callId: string): CallState {
  return { callId };
}

export function recordCallEvent(state: CallState, event: CallEvent): RecordResult {
  if (event.callId !== state.callId) {
    throw new CallDomainError('event routed to the state of another call', {
      stateCallId: state.callId,
      eventCallId: event.callId,
    });
  }
  switch (event.type) {
    case 'call.started': {
      const next = { queue: event.queue, ts: event.ts };
      return merge(state, 'started', state.started, next, next.queue);
    }
    case 'call.answered': {
      const next = { agentId: event.agentId, ts: event.ts };
      return merge(state, 'answered', state.answered, next, next.agentId);
    }
    case 'call.ended':
      return merge(state, 'ended', state.ended, { ts: event.ts }, '');
  }
}

function merge<K extends 'started' | 'answered' | 'ended'>(
  state: CallState,
  key: K,
  known: CallState[K],
  next: NonNullable<CallState[K]>,
  nextTieBreak: string,
): RecordResult {
  if (known === undefined) return { state: { ...state, [key]: next }, outcome: 'recorded', changed: true };
  const knownTieBreak = tieBreakOf(known);
  if (known.ts === next.ts && knownTieBreak === nextTieBreak) return { state, outcome: 'duplicate', changed: false };
  const nextWins = next.ts < known.ts || (next.ts === known.ts && nextTieBreak < knownTieBreak);
  return nextWins
    ? { state: { ...state, [key]: next }, outcome: 'conflict', changed: true }
    : { state, outcome: 'conflict', changed: false };
}

function tieBreakOf(transition: NonNullable<CallState['started' | 'answered' | 'ended']>): string {
  if ('queue' in transition) return transition.queue;
  if ('agentId' in transition) return transition.agentId;
  return '';
}

import type { KeyedStore } from '@switchboard/streams';
import type { CallFact } from '../../../calls';
import type { HopMessage } from '../calls-hop';
import { type OpenAnswer, type QueueState, windowEnd } from './queue-state';

/** Adds an answered fact to the open answers, or takes it out again (a retraction). */
export function trackAnswer(
  answers: OpenAnswer[],
  source: number,
  fact: CallFact & { kind: 'answered' },
  retract: boolean,
): void {
  if (!retract) {
    answers.push([source, fact]);
    return;
  }
  const at = answers.findIndex(([, f]) => f.callId === fact.callId && f.ts === fact.ts && f.waitMs === fact.waitMs);
  if (at >= 0) answers.splice(at, 1);
}

/** The open answers of windows ending after `closedBefore` (what is closed here no SLA change may re-judge). */
export function answersStillOpen(state: QueueState, closedBefore: number): OpenAnswer[] {
  return (state.answers ?? []).filter(([, f]) => windowEnd(f.ts) > closedBefore);
}

/** Drops the open answers of windows that closed, for the queues of this batch. */
export function forgetClosedAnswers(
  store: KeyedStore<QueueState>,
  messages: readonly HopMessage[],
  closedBefore: (key: string) => number,
): void {
  const keys = new Set<string>();
  for (const m of messages) if (m.kind === 'record') keys.add(m.key);
  for (const key of keys) {
    const closed = closedBefore(key);
    const state = store.get(key);
    if (!state?.answers?.length) continue;
    const answers = answersStillOpen(state, closed);
    if (answers.length !== state.answers.length) store.set(key, { ...state, answers }, closed);
  }
}

import { DEFAULT_SLA_SECONDS } from '@switchboard/domain';
import type { SlaChange } from './queue-state';

type SlaOfQueue = { readonly slaSeconds?: number; readonly slas?: readonly SlaChange[] };

export function compareSlaChanges(a: SlaChange, b: SlaChange): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** The queue's SLA changes; a checkpoint from before they were kept has one SLA, in effect since always. */
export function slasOf(state: SlaOfQueue): readonly SlaChange[] {
  if (state.slas) return state.slas;
  const sla = state.slaSeconds ?? DEFAULT_SLA_SECONDS;
  return sla === DEFAULT_SLA_SECONDS ? [] : [[Number.MIN_SAFE_INTEGER, -1, -1, sla]];
}

/** The SLA in effect at `ts`: the last change at or before it, else the default. */
export function slaAt(state: SlaOfQueue | undefined, ts: number): number {
  let sla = DEFAULT_SLA_SECONDS;
  if (!state) return sla;
  for (const [time, , , seconds] of slasOf(state)) {
    if (time > ts) break;
    sla = seconds;
  }
  return sla;
}

/**
 * The changes an open, restatable or future window can still need: all from the newest at or before `horizon` (the
 * oldest time a fact can still have) on. `slas` is in effect order and not empty.
 */
export function keptSlaChanges(slas: readonly SlaChange[], horizon: number): SlaChange[] {
  let keepFrom = 0;
  for (let i = 0; i < slas.length; i++) if (slas[i][0] <= horizon) keepFrom = i;
  return slas.slice(keepFrom);
}

import type { StoredState } from '@switchboard/streams';
import type { EnergyTopology } from './topology';

/** Assigns partition `p` to every state of the topology, empty (a partition seen for the first time). */
export function assign<T extends EnergyTopology>(t: T, p = 0): T {
  for (const state of t.states) state.restore(p, undefined);
  return t;
}

/** Every state's changes since the start as the rows a checkpoint holds (JSON round trip, as Postgres gives them). */
export function checkpointOf(t: EnergyTopology, p = 0): Array<StoredState | undefined> {
  return t.states.map((state) => {
    const c = state.changes(p);
    if (c === undefined) return undefined;
    const stored: StoredState = { meta: c.meta, entries: (c.upserts ?? []).map(([k, v]) => [k, v]) };
    return JSON.parse(JSON.stringify(stored)) as StoredState;
  });
}

/** Restores partition `p` of every state from `checkpointOf`. */
export function restoreFrom<T extends EnergyTopology>(t: T, stored: Array<StoredState | undefined>, p = 0): T {
  for (const [i, state] of t.states.entries()) state.restore(p, stored[i]);
  return t;
}

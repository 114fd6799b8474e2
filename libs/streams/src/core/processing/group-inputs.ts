import { keyBytes } from '../state/size-estimate';
import type { GroupInputsEntry } from '../state/window-store';
import type { GroupTime } from './repartition';
import type { InputTime } from './stream-clock';

/** What the upstream partitions said of one time group. */
class GroupSources {
  /** Per source: the group's time there; −∞ while that source never carried the group. */
  readonly times: number[];
  /** The lowest first timestamp of the group any source announced (or delivered); +∞ before any. */
  first = Number.POSITIVE_INFINITY;
  /** The highest partition time at which a source saw the group's first record; −∞ before an announcement. */
  firstAt = Number.NEGATIVE_INFINITY;

  constructor(inputs: number) {
    this.times = new Array<number>(inputs).fill(Number.NEGATIVE_INFINITY);
  }
}

/** Heap estimate of one group's entry beside its id: object, array, Map entry. */
const GROUP_BYTES = 120;

/**
 * Per-group time after a repartition hop (`WindowedAggregation` with `closeBy: (key) => group` and `inputs`),
 * for one partition: for each time group, its time at each upstream partition, from the group times the sources'
 * boundaries announce (`timeGroup`), and its first timestamp (announced, or of its first record here). The group's time is the minimum over the sources of
 * - its time at s, once s carried the group;
 * - for a source that never carried it: `min(time of s, first + max(0, time of s − firstAt))` — s is taken to
 *   start carrying the group when its own time reaches where the first source's was when the group appeared
 *   there (`firstAt`), at the group's first timestamp, and to move with its own time from then on;
 * - the source's own time, for a source whose markers carry no group times (a boundary without `timeGroup`).
 * Kept for every group announced (bounded by the number of groups, e.g. tenants), not freed with its windows:
 * a group's first record on this partition must find what the sources already said of it.
 */
export class GroupInputs {
  private readonly groups = new Map<string, GroupSources>();
  /** Sources whose time markers carry no group times. */
  private readonly ungrouped: boolean[];
  bytes = 0;

  constructor(
    private readonly inputs: number,
    entries: readonly GroupInputsEntry[] | undefined,
    ungrouped: readonly number[] | undefined,
  ) {
    this.ungrouped = new Array<boolean>(inputs).fill(false);
    for (const s of ungrouped ?? []) if (s >= 0 && s < inputs) this.ungrouped[s] = true;
    for (const [id, first, firstAt, times] of entries ?? []) {
      const g = this.entry(id);
      g.first = first ?? Number.POSITIVE_INFINITY;
      g.firstAt = firstAt ?? Number.NEGATIVE_INFINITY;
      for (let s = 0; s < inputs && s < times.length; s++) g.times[s] = times[s] ?? Number.NEGATIVE_INFINITY;
    }
  }

  get size(): number {
    return this.groups.size;
  }

  /**
   * A record of group `id` with timestamp `ts` (from any source); returns the group's time. The record does not
   * move the group's time at its source — only that source's markers do, after the whole upstream batch, so the
   * records of one batch (an ingest request packed by entity, minutes of event time out of order) are all judged
   * before the time they make — but a group no source announced yet starts at its first record, not at the
   * partition's time.
   */
  observe(id: string, ts: number, inputs: readonly InputTime[]): number {
    const g = this.entry(id);
    if (ts < g.first) g.first = ts;
    return this.timeOf(g, inputs);
  }

  /** A time marker of `source` with the group times it carried (undefined: its boundary has no time groups). */
  announced(source: number, groups: readonly GroupTime[] | undefined): void {
    if (groups === undefined) {
      this.ungrouped[source] = true;
      return;
    }
    this.ungrouped[source] = false;
    for (let i = 0; i < groups.length; i++) {
      const a = groups[i];
      const g = this.entry(a[0]);
      if (a[1] > g.times[source]) g.times[source] = a[1];
      if (a.length === 4) {
        if (a[2] < g.first) g.first = a[2];
        if (a[3] > g.firstAt) g.firstAt = a[3];
      }
    }
  }

  /** The group's time: the minimum over the sources (see the class comment); the sources' minimum when unknown. */
  time(id: string, inputs: readonly InputTime[]): number {
    const g = this.groups.get(id);
    if (g === undefined) {
      let m = Number.POSITIVE_INFINITY;
      for (let s = 0; s < inputs.length; s++) if (inputs[s].time < m) m = inputs[s].time;
      return m;
    }
    return this.timeOf(g, inputs);
  }

  snapshot(): { groupInputs: GroupInputsEntry[]; ungroupedInputs?: number[] } {
    const groupInputs: GroupInputsEntry[] = [];
    for (const [id, g] of this.groups) {
      groupInputs.push([
        id,
        Number.isFinite(g.first) ? g.first : null,
        Number.isFinite(g.firstAt) ? g.firstAt : null,
        g.times.map((t) => (Number.isFinite(t) ? t : null)),
      ]);
    }
    const ungrouped: number[] = [];
    for (let s = 0; s < this.inputs; s++) if (this.ungrouped[s]) ungrouped.push(s);
    return ungrouped.length > 0 ? { groupInputs, ungroupedInputs: ungrouped } : { groupInputs };
  }

  private timeOf(g: GroupSources, inputs: readonly InputTime[]): number {
    let m = Number.POSITIVE_INFINITY;
    for (let s = 0; s < inputs.length; s++) {
      const own = inputs[s].time;
      let t: number;
      if (this.ungrouped[s]) t = own;
      else if (g.times[s] !== Number.NEGATIVE_INFINITY) t = g.times[s];
      else if (g.firstAt === Number.NEGATIVE_INFINITY) t = Math.min(own, g.first);
      else t = Math.min(own, g.first + Math.max(0, own - g.firstAt));
      if (t < m) m = t;
    }
    return m;
  }

  private entry(id: string): GroupSources {
    let g = this.groups.get(id);
    if (g === undefined) {
      g = new GroupSources(this.inputs);
      this.groups.set(id, g);
      this.bytes += GROUP_BYTES + 8 * this.inputs + keyBytes(id.length);
    }
    return g;
  }
}

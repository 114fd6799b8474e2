/**
 * Live mode: which meters of a partition went idle, and when an idle meter's next window closes — found without
 * visiting every meter at every tick. Active meters sit in a Map in last-activity order (a reading moves its meter
 * to the back), so the idle ones are at the front and a tick stops at the first active one. An idle meter with open
 * windows waits in a min-heap under the wall time its oldest open window closes at; a reading makes its entry stale
 * (`activity` no longer matches), and it is skipped when popped.
 */
export class IdleMeters {
  private readonly active = new Map<string, number>();
  private readonly heap: DueEntry[] = [];

  /** A reading of `key` at wall time `now`. */
  touch(key: string, now: number): void {
    this.active.delete(key);
    this.active.set(key, now);
  }

  forget(key: string): void {
    this.active.delete(key);
  }

  /** Keys quiet for `idleMs` at `now` (each returned once, until its next reading). */
  newlyIdle(now: number, idleMs: number): string[] {
    const idle: string[] = [];
    for (const [key, last] of this.active) {
      if (now - last < idleMs) break;
      idle.push(key);
    }
    for (const key of idle) this.active.delete(key);
    return idle;
  }

  /** Wake `key` at wall time `due`, if its last reading is still the one at `activity` then. */
  schedule(key: string, due: number, activity: number): void {
    const heap = this.heap;
    heap.push({ due, key, activity });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].due <= heap[i].due) break;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  }

  /** Entries due at `now`, earliest first (the caller checks `activity` against the meter's last reading). */
  due(now: number): DueEntry[] {
    const out: DueEntry[] = [];
    while (this.heap.length > 0 && this.heap[0].due <= now) out.push(this.pop());
    return out;
  }

  private pop(): DueEntry {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop() as DueEntry;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l].due < heap[m].due) m = l;
        if (r < heap.length && heap[r].due < heap[m].due) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i], heap[m]];
        i = m;
      }
    }
    return top;
  }
}

export interface DueEntry {
  due: number;
  key: string;
  activity: number;
}

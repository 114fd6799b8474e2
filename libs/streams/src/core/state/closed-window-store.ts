import { SnapshotFormatError } from '../processing/errors';
import { keyBytes } from './size-estimate';

/**
 * The closed windows of one key kept for restatement, oldest first, as parallel arrays: no object per window
 * (starts are a packed double array, versions and revisions small integers).
 */
class ClosedWindows<A> {
  readonly starts: number[] = [];
  readonly accs: A[] = [];
  readonly versions: number[] = [];
  readonly revisions: number[] = [];

  /** Index of the window starting at `start`, or −(insertion point) − 1. Searched from the newest end. */
  indexOf(start: number): number {
    const s = this.starts;
    let i = s.length - 1;
    while (i >= 0 && s[i] > start) i--;
    return i >= 0 && s[i] === start ? i : -(i + 1) - 1;
  }
}

/** A closed window in a checkpoint: `[key, windowStart, accumulator, version, revision]`. */
export type ClosedWindowRow<A> = [key: string, start: number, acc: A, version: number, revision: number];
/** A key's closed windows in a snapshot: `[key, [[windowStart, accumulator, version, revision], …]]`, oldest first. */
export type ClosedKeyEntry<A> = [
  key: string,
  windows: Array<[start: number, acc: A, version: number, revision: number]>,
];

/** What the caller learns about a window leaving the store at the horizon. */
export type ExpiredWindow<A> = (
  key: string,
  start: number,
  acc: A,
  version: number,
  revision: number,
  keyGone: boolean,
) => void;

const KEY_BYTES = 64 + 4 * 32; // the entry object and its four arrays
const WINDOW_BYTES = 4 * 8 + 8; // four array slots and the horizon index slot

/**
 * Closed windows kept for restatement, by key, with an index by window end so expiry at the horizon is
 * proportional to what expires. Tracks the windows changed since the last checkpoint (one checkpoint row per
 * closed window: a restatement rewrites one row, not the key's history).
 */
export class ClosedWindowStore<A> {
  private readonly keys = new Map<string, ClosedWindows<A>>();
  /** Window end → keys with a closed window ending there (a key may repeat; stale entries are skipped). */
  private readonly buckets = new Map<number, string[]>();
  private ends: number[] = [];
  /** Key → starts of its windows changed (or removed) since the last checkpoint. */
  private readonly dirty = new Map<string, Set<number>>();
  private windows = 0;
  private size = 0;

  constructor(
    private readonly sizeMs: number,
    private readonly accumulatorBytes: number,
  ) {}

  get count(): number {
    return this.windows;
  }

  get keyCount(): number {
    return this.keys.size;
  }

  get bytes(): number {
    return this.size;
  }

  get dirtyCount(): number {
    let n = 0;
    for (const s of this.dirty.values()) n += s.size;
    return n;
  }

  /** The smallest end indexed (+Infinity when none). */
  get nextEnd(): number {
    return this.ends.length === 0 ? Number.POSITIVE_INFINITY : this.ends[0];
  }

  hasKey(key: string): boolean {
    return this.keys.has(key);
  }

  has(key: string, start: number): boolean {
    const w = this.keys.get(key);
    return w !== undefined && w.indexOf(start) >= 0;
  }

  /** Adds a closed window (absent). */
  add(key: string, start: number, acc: A, version: number, revision: number): void {
    let w = this.keys.get(key);
    if (w === undefined) {
      w = new ClosedWindows<A>();
      this.keys.set(key, w);
      this.size += KEY_BYTES + keyBytes(key.length);
    }
    const i = w.indexOf(start);
    if (i >= 0) throw new Error(`closed window ${key}@${start} added twice`);
    const at = -i - 1;
    if (at === w.starts.length) {
      w.starts.push(start);
      w.accs.push(acc);
      w.versions.push(version);
      w.revisions.push(revision);
    } else {
      w.starts.splice(at, 0, start);
      w.accs.splice(at, 0, acc);
      w.versions.splice(at, 0, version);
      w.revisions.splice(at, 0, revision);
    }
    this.windows++;
    this.size += WINDOW_BYTES + this.accumulatorBytes;
    this.index(key, start + this.sizeMs);
    this.markDirty(key, start);
  }

  /** Replaces the accumulator of a closed window (present) by `f(acc)`. */
  update(key: string, start: number, f: (acc: A) => A): void {
    const w = this.keys.get(key) as ClosedWindows<A>;
    const i = w.indexOf(start);
    w.accs[i] = f(w.accs[i]);
    this.markDirty(key, start);
  }

  /** Counts one more emission of a closed window (present) as a restatement; returns its accumulator, version and revision. */
  restated(key: string, start: number): { acc: A; version: number; revision: number } {
    const w = this.keys.get(key) as ClosedWindows<A>;
    const i = w.indexOf(start);
    w.versions[i]++;
    w.revisions[i]++;
    this.markDirty(key, start);
    return { acc: w.accs[i], version: w.versions[i], revision: w.revisions[i] };
  }

  /** Removes every window with `end ≤ limit`, oldest end first, telling `expired` about each. */
  popBeyond(limit: number, expired: ExpiredWindow<A>): void {
    const ends = this.ends;
    let n = 0;
    while (n < ends.length && ends[n] <= limit) {
      const bucket = this.buckets.get(ends[n]) as string[];
      this.buckets.delete(ends[n]);
      for (let b = 0; b < bucket.length; b++) this.expireKey(bucket[b], limit, expired);
      n++;
    }
    if (n > 0) this.ends = ends.slice(n);
  }

  /** Changed windows since the last `markClean`: present ones as upserts, removed ones as deletes. */
  changes(): { upserts: ClosedWindowRow<A>[]; deletes: Array<[key: string, start: number]> } {
    const upserts: ClosedWindowRow<A>[] = [];
    const deletes: Array<[string, number]> = [];
    for (const [key, starts] of this.dirty) {
      const w = this.keys.get(key);
      for (const start of starts) {
        const i = w === undefined ? -1 : w.indexOf(start);
        if (w === undefined || i < 0) deletes.push([key, start]);
        else upserts.push([key, start, w.accs[i], w.versions[i], w.revisions[i]]);
      }
    }
    return { upserts, deletes };
  }

  markClean(): void {
    this.dirty.clear();
  }

  entries(): ClosedKeyEntry<A>[] {
    const out: ClosedKeyEntry<A>[] = [];
    for (const [key, w] of this.keys) {
      out.push([key, w.starts.map((s, i) => [s, w.accs[i], w.versions[i], w.revisions[i]])]);
    }
    return out;
  }

  /** Number of closed windows of `key`. */
  countOf(key: string): number {
    return this.keys.get(key)?.starts.length ?? 0;
  }

  /** Loads a snapshot's closed windows into this (empty) store; nothing is dirty afterwards. */
  load(closed: readonly ClosedKeyEntry<A>[]): void {
    for (const entry of closed) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1])) {
        throw new SnapshotFormatError('closed window entries must be [key, [[start, acc, version, revision], …]]', {
          context: { entry: JSON.stringify(entry)?.slice(0, 200) },
        });
      }
      for (const w of entry[1]) {
        if (!Array.isArray(w) || typeof w[0] !== 'number' || typeof w[2] !== 'number' || typeof w[3] !== 'number') {
          throw new SnapshotFormatError('closed windows must be [start, acc, version, revision]', {
            context: { key: entry[0] },
          });
        }
        this.add(entry[0], w[0], w[1], w[2], w[3]);
      }
    }
    this.dirty.clear();
  }

  private expireKey(key: string, limit: number, expired: ExpiredWindow<A>): void {
    const w = this.keys.get(key);
    if (w === undefined) return;
    let n = 0;
    while (n < w.starts.length && w.starts[n] + this.sizeMs <= limit) n++;
    if (n === 0) return;
    const all = n === w.starts.length;
    if (all) {
      this.keys.delete(key);
      this.size -= KEY_BYTES + keyBytes(key.length);
    }
    for (let i = 0; i < n; i++) {
      this.markDirty(key, w.starts[i]);
      expired(key, w.starts[i], w.accs[i], w.versions[i], w.revisions[i], all && i === n - 1);
    }
    if (!all) {
      w.starts.splice(0, n);
      w.accs.splice(0, n);
      w.versions.splice(0, n);
      w.revisions.splice(0, n);
    }
    this.windows -= n;
    this.size -= n * (WINDOW_BYTES + this.accumulatorBytes);
  }

  private markDirty(key: string, start: number): void {
    let s = this.dirty.get(key);
    if (s === undefined) {
      s = new Set();
      this.dirty.set(key, s);
    }
    s.add(start);
  }

  private index(key: string, end: number): void {
    let bucket = this.buckets.get(end);
    if (bucket === undefined) {
      bucket = [];
      this.buckets.set(end, bucket);
      const ends = this.ends;
      let j = ends.length;
      while (j > 0 && ends[j - 1] > end) j--;
      ends.splice(j, 0, end);
    }
    if (bucket[bucket.length - 1] !== key) bucket.push(key);
  }
}

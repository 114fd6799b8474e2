import { SnapshotFormatError } from '../processing/errors';
import { keyBytes } from './size-estimate';

/**
 * One window of one key. Mutated in place; `version` counts the row's emissions, `revision` its restatements.
 * Open until its final row is emitted; then, when the operator restates (`restateForMs`), kept as a *closed*
 * window (`final`) until the restatement horizon passes it.
 */
export class WindowCell<A> {
  /** Queued for a `current` emission at the end of the batch. */
  pending = false;
  /** Queued for a restatement emission at the end of the batch. */
  restating = false;
  /** Its final row was emitted: only a restatement changes it now. */
  final = false;
  /** Removed from the store; ignore wherever still referenced. */
  freed = false;
  /** Restatements emitted (0 until the first). */
  revision = 0;
  /** The key's next window by start (a key's windows form a short sorted list: no array per key). */
  next: WindowCell<A> | null = null;

  constructor(
    readonly key: string,
    readonly start: number,
    readonly end: number,
    public acc: A,
    public version: number,
  ) {}
}

export const WINDOW_SNAPSHOT_FORMAT = 'switchboard.windows/2';
/** The format before restatement; `restore` still reads it (its windows are all open, revision 0). */
export const WINDOW_SNAPSHOT_FORMAT_V1 = 'switchboard.windows/1';

/** An open window: `[windowStart, accumulator, version]`. */
export type OpenWindowEntry<A> = [start: number, acc: A, version: number];
/** A closed window kept for restatement: `[windowStart, accumulator, version, revision, true]`. */
export type ClosedWindowEntry<A> = [start: number, acc: A, version: number, revision: number, closed: true];
export type WindowEntry<A> = OpenWindowEntry<A> | ClosedWindowEntry<A>;
/**
 * A key's windows, oldest first, and (key-level closing) the stream time of its clock group when it was written.
 */
export type KeyEntry<A> = [key: string, windows: WindowEntry<A>[], clockTime?: number];

/** The windows of one partition and the time that orders them: plain JSON. */
export interface WindowSnapshot<A> {
  format: typeof WINDOW_SNAPSHOT_FORMAT | typeof WINDOW_SNAPSHOT_FORMAT_V1;
  partition: number;
  /** Per input (upstream partition): `[source, streamTime or null before any, highest sequence or -1]`. */
  inputs: Array<[source: number, time: number | null, sequence: number]>;
  late: number;
  duplicates: number;
  /** Restatement emissions so far (absent in `/1`). */
  restatements?: number;
  keys: KeyEntry<A>[];
  /** Keys closed by `closeKey`, with the end of the last window they finalised: they accept nothing before it. */
  closedKeys: Array<[key: string, closedUntil: number]>;
}

/**
 * What changed since the last checkpoint: every key touched since then, with its windows (`upserts`) or as
 * gone (`deletes`), plus the small per-partition fields in full.
 */
export interface WindowChanges<A> extends Omit<WindowSnapshot<A>, 'keys'> {
  upserts: KeyEntry<A>[];
  deletes: string[];
}

/** Folds checkpointed changes into a full snapshot (what a checkpoint table of per-key rows holds). */
export function applyWindowChanges<A>(
  base: WindowSnapshot<A> | undefined,
  changes: WindowChanges<A>,
): WindowSnapshot<A> {
  const keys = new Map<string, KeyEntry<A>>();
  for (const entry of base?.keys ?? []) keys.set(entry[0], entry);
  for (const key of changes.deletes) keys.delete(key);
  for (const entry of changes.upserts) keys.set(entry[0], entry);
  return {
    format: changes.format,
    partition: changes.partition,
    inputs: changes.inputs,
    late: changes.late,
    duplicates: changes.duplicates,
    ...(changes.restatements === undefined ? {} : { restatements: changes.restatements }),
    keys: [...keys.values()],
    closedKeys: changes.closedKeys,
  };
}

const CELL_BYTES = 110;

/** Cells by window end, so the cells due at a time are found in proportion to how many there are. */
class EndIndex<A> {
  private readonly buckets = new Map<number, WindowCell<A>[]>();
  /** Ends present in `buckets`, ascending. */
  private ends: number[] = [];

  /** The smallest end indexed (+Infinity when empty). */
  get first(): number {
    return this.ends.length === 0 ? Number.POSITIVE_INFINITY : this.ends[0];
  }

  add(cell: WindowCell<A>): void {
    let bucket = this.buckets.get(cell.end);
    if (bucket === undefined) {
      bucket = [];
      this.buckets.set(cell.end, bucket);
      const ends = this.ends;
      let j = ends.length;
      while (j > 0 && ends[j - 1] > cell.end) j--;
      ends.splice(j, 0, cell.end);
    }
    bucket.push(cell);
  }

  /** Removes every entry with `end ≤ limit` from the index, in order of end, into `out` (freed ones skipped). */
  pop(limit: number, out: WindowCell<A>[]): WindowCell<A>[] {
    const ends = this.ends;
    let n = 0;
    while (n < ends.length && ends[n] <= limit) {
      const bucket = this.buckets.get(ends[n]) as WindowCell<A>[];
      this.buckets.delete(ends[n]);
      for (let i = 0; i < bucket.length; i++) if (!bucket[i].freed) out.push(bucket[i]);
      n++;
    }
    if (n > 0) this.ends = ends.slice(n);
    return out;
  }
}

/**
 * The windows of one partition, by key: open ones and (with restatement) closed ones kept until the horizon.
 * Two indexes by window end make closing and expiry proportional to what closes or expires: `open` (closing
 * by the partition's time; not kept with key-level closing, where each key's clock closes its own windows)
 * and `horizon` (cells freed when the restatement horizon passes them). Tracks which keys changed since the
 * last checkpoint and an estimate of its heap size.
 */
export class WindowStore<A> {
  /** Key → its oldest window (the head of its list). */
  private readonly keys = new Map<string, WindowCell<A>>();
  private readonly open = new EndIndex<A>();
  private readonly horizon = new EndIndex<A>();
  private readonly dirty = new Set<string>();
  /** Keys closed by closeKey → end of their last finalised window. Insertion ordered, so roughly by time. */
  readonly closedKeys = new Map<string, number>();
  private openWindows = 0;
  private closedWindows = 0;
  private size = 0;

  /**
   * `retain`: closed windows are kept (restatement); `keyLevel`: no `open` index, every cell goes to the
   * horizon index at creation (open ones are finalised there if their key's clock never closed them).
   */
  constructor(
    private readonly cellBytes: number,
    private readonly sizeMs: number,
    private readonly retain = false,
    private readonly keyLevel = false,
  ) {}

  get keyCount(): number {
    return this.keys.size;
  }

  get windowCount(): number {
    return this.openWindows;
  }

  /** Closed windows kept for restatement. */
  get closedCount(): number {
    return this.closedWindows;
  }

  get bytes(): number {
    return this.size;
  }

  /** The smallest end among open windows indexed for closing by time (+Infinity when none). */
  get nextOpenEnd(): number {
    return this.open.first;
  }

  /** The smallest end among cells indexed for the horizon (+Infinity when none). */
  get nextHorizonEnd(): number {
    return this.horizon.first;
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** The oldest window of `key`, the head of its list. */
  head(key: string): WindowCell<A> | null {
    return this.keys.get(key) ?? null;
  }

  /** The cell of `key` for the window starting at `start`, if any. */
  find(key: string, start: number): WindowCell<A> | undefined {
    for (let c = this.keys.get(key) ?? null; c !== null; c = c.next) {
      if (c.start === start) return c;
      if (c.start > start) return undefined;
    }
    return undefined;
  }

  /** Adds a cell for `[start, end)` of `key` (absent); `final` makes it a closed window (restatement of an empty one). */
  insert(key: string, start: number, end: number, acc: A, version: number, final = false): WindowCell<A> {
    const head = this.keys.get(key);
    const cell = new WindowCell<A>(key, start, end, acc, version);
    if (head === undefined) {
      this.keys.set(key, cell);
      this.size += keyBytes(key.length);
    } else if (head.start > start) {
      cell.next = head;
      this.keys.set(key, cell);
    } else {
      let prev = head;
      while (prev.next !== null && prev.next.start < start) prev = prev.next;
      cell.next = prev.next;
      prev.next = cell;
    }
    this.size += this.cellBytes;
    if (final) {
      cell.final = true;
      this.closedWindows++;
      this.horizon.add(cell);
    } else {
      this.openWindows++;
      if (this.keyLevel) this.horizon.add(cell);
      else this.open.add(cell);
    }
    return cell;
  }

  /** The cell of `key` for window `[start, end)`, created open from `factory.initial()` (version 0) when absent. */
  getOrCreate(key: string, start: number, end: number, factory: { initial(): A }): WindowCell<A> {
    return this.find(key, start) ?? this.insert(key, start, end, factory.initial(), 0);
  }

  /** The windows of `key`, oldest first. */
  windowsOf(key: string): WindowCell<A>[] {
    const out: WindowCell<A>[] = [];
    for (let c = this.keys.get(key) ?? null; c !== null; c = c.next) out.push(c);
    return out;
  }

  markDirty(key: string): void {
    this.dirty.add(key);
  }

  /** Takes the open cells with `end ≤ limit` out of the closing index, in order of end, into `out`. */
  popDueOpen(limit: number, out: WindowCell<A>[]): WindowCell<A>[] {
    const first = out.length;
    this.open.pop(limit, out);
    // cells finalised early (closeKey) are still in the index: drop them from `out`
    let w = first;
    for (let i = first; i < out.length; i++) if (!out[i].final) out[w++] = out[i];
    out.length = w;
    return out;
  }

  /** Takes every cell with `end ≤ limit` out of the horizon index (open or closed) into `out`. */
  popBeyondHorizon(limit: number, out: WindowCell<A>[]): WindowCell<A>[] {
    return this.horizon.pop(limit, out);
  }

  /** Marks an open cell final and keeps it as a closed window (its final row was just emitted). */
  finalize(cell: WindowCell<A>): void {
    cell.final = true;
    this.openWindows--;
    this.closedWindows++;
    if (!this.keyLevel) this.horizon.add(cell);
    this.dirty.add(cell.key);
  }

  /** Removes a cell; returns true when its key has no window left (and is gone from the store). */
  free(cell: WindowCell<A>): boolean {
    cell.freed = true;
    const head = this.keys.get(cell.key) as WindowCell<A>;
    let gone = false;
    if (head === cell) {
      if (cell.next === null) {
        this.keys.delete(cell.key);
        this.size -= keyBytes(cell.key.length);
        gone = true;
      } else {
        this.keys.set(cell.key, cell.next);
      }
    } else {
      let prev = head;
      while (prev.next !== cell) prev = prev.next as WindowCell<A>;
      prev.next = cell.next;
    }
    cell.next = null;
    if (cell.final) this.closedWindows--;
    else this.openWindows--;
    this.size -= this.cellBytes;
    this.dirty.add(cell.key);
    return gone;
  }

  /** Removes all of `key`'s open cells (oldest first) into `out` and remembers the key as closed (no restatement). */
  removeKey(key: string, out: WindowCell<A>[]): WindowCell<A>[] {
    const first = out.length;
    for (const cell of this.windowsOf(key)) {
      this.free(cell);
      if (!cell.final) out.push(cell);
    }
    this.closeKeyUntil(key, out, first);
    return out;
  }

  /** Remembers `key` as closed until the largest end among `cells[from…]` (the windows it finalised). */
  closeKeyUntil(key: string, cells: readonly WindowCell<A>[], from = 0): void {
    let closedUntil = this.closedKeys.get(key) ?? Number.NEGATIVE_INFINITY;
    for (let i = from; i < cells.length; i++) if (cells[i].end > closedUntil) closedUntil = cells[i].end;
    if (closedUntil > Number.NEGATIVE_INFINITY) {
      this.closedKeys.delete(key);
      this.closedKeys.set(key, closedUntil);
    }
  }

  /** Forgets closed keys whose last window is itself closed by time (`closedUntil ≤ limit`). */
  purgeClosedKeys(limit: number): void {
    for (const [key, until] of this.closedKeys) {
      if (until > limit) break;
      this.closedKeys.delete(key);
    }
  }

  /** Keys changed since the last `markClean`, with their current windows or as deleted. */
  changes(clockTime?: (key: string) => number | undefined): { upserts: KeyEntry<A>[]; deletes: string[] } {
    const upserts: KeyEntry<A>[] = [];
    const deletes: string[] = [];
    for (const key of this.dirty) {
      const head = this.keys.get(key);
      if (head === undefined) deletes.push(key);
      else upserts.push(entryOf(key, head, clockTime));
    }
    return { upserts, deletes };
  }

  get dirtyCount(): number {
    return this.dirty.size;
  }

  markClean(): void {
    this.dirty.clear();
  }

  entries(clockTime?: (key: string) => number | undefined): KeyEntry<A>[] {
    const out: KeyEntry<A>[] = [];
    for (const [key, head] of this.keys) out.push(entryOf(key, head, clockTime));
    return out;
  }

  /**
   * Loads the windows of a snapshot into this (empty) store; nothing is dirty afterwards. Closed windows are
   * skipped when this store does not retain them (restatement turned off since the snapshot).
   */
  load(keys: WindowSnapshot<A>['keys'], closedKeys: WindowSnapshot<A>['closedKeys']): void {
    for (const entry of keys) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1])) {
        throw new SnapshotFormatError('window snapshot key entries must be [key, [[start, acc, version], …]]', {
          context: { entry: JSON.stringify(entry)?.slice(0, 200) },
        });
      }
      for (const w of entry[1]) {
        if (!Array.isArray(w) || typeof w[0] !== 'number' || typeof w[2] !== 'number') {
          throw new SnapshotFormatError(
            'window snapshot windows must be [start, acc, version] or [start, acc, version, revision, true]',
            { context: { key: entry[0] } },
          );
        }
        const closed = w[4] === true;
        if (closed && !this.retain) continue;
        const cell = this.insert(entry[0], w[0], w[0] + this.sizeMs, w[1], w[2], closed);
        if (closed) cell.revision = typeof w[3] === 'number' ? w[3] : 0;
      }
    }
    for (const [key, until] of closedKeys) this.closedKeys.set(key, until);
    this.dirty.clear();
  }
}

export function windowCellBytes(accumulatorBytes: number): number {
  return CELL_BYTES + accumulatorBytes;
}

function entryOf<A>(key: string, head: WindowCell<A>, clockTime?: (key: string) => number | undefined): KeyEntry<A> {
  const windows: WindowEntry<A>[] = [];
  for (let c: WindowCell<A> | null = head; c !== null; c = c.next) {
    windows.push(c.final ? [c.start, c.acc, c.version, c.revision, true] : [c.start, c.acc, c.version]);
  }
  const t = clockTime?.(key);
  return t === undefined ? [key, windows] : [key, windows, t];
}

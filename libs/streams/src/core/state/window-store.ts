import { SnapshotFormatError } from '../processing/errors';
import type { ClosedKeyEntry, ClosedWindowRow } from './closed-window-store';
import { keyBytes } from './size-estimate';

/**
 * One open window of one key. Mutated in place; `version` counts the row's emissions. When it closes it is
 * freed, or with restatement moved to the `ClosedWindowStore` (a compact copy: accumulator, version, revision).
 */
export class WindowCell<A> {
  /** Queued for a `current` emission at the end of the batch. */
  pending = false;
  /** Closed and removed from the store; ignore wherever still referenced. */
  freed = false;
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
export type WindowEntry<A> = [start: number, acc: A, version: number];
/**
 * A key's open windows, oldest first, and (key-level closing) the stream time of its clock group when it was
 * written (with key-level closing a key with only closed windows keeps an entry with no open window).
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
  /** Closed windows kept for restatement (absent in `/1`). */
  closed?: ClosedKeyEntry<A>[];
  /** Keys closed by `closeKey`, with the end of the last window they finalised: they accept nothing before it. */
  closedKeys: Array<[key: string, closedUntil: number]>;
  /**
   * `closeBy` with `inputs` (absent otherwise): per time group, what the upstream partitions said of it —
   * `[group, first, firstAt | null, times]` with `times[source]` the group's time there (null: never carried it).
   */
  groupInputs?: GroupInputsEntry[];
  /** `closeBy` with `inputs`: upstream partitions whose time markers carry no group times (closing by their time). */
  ungroupedInputs?: number[];
}

export type GroupInputsEntry = [
  group: string,
  first: number | null,
  firstAt: number | null,
  times: Array<number | null>,
];

/**
 * What changed since the last checkpoint: every key touched since then, with its windows (`upserts`) or as
 * gone (`deletes`), plus the small per-partition fields in full.
 */
export interface WindowChanges<A> extends Omit<WindowSnapshot<A>, 'keys' | 'closed'> {
  upserts: KeyEntry<A>[];
  deletes: string[];
  /** Closed windows created or restated since the last checkpoint (one row each). */
  closedUpserts?: ClosedWindowRow<A>[];
  /** Closed windows gone past the horizon since the last checkpoint. */
  closedDeletes?: Array<[key: string, start: number]>;
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
  const closed = new Map<string, Map<number, [number, A, number, number]>>();
  for (const [key, windows] of base?.closed ?? []) closed.set(key, new Map(windows.map((w) => [w[0], w])));
  for (const [key, start] of changes.closedDeletes ?? []) closed.get(key)?.delete(start);
  for (const [key, start, acc, version, revision] of changes.closedUpserts ?? []) {
    let m = closed.get(key);
    if (m === undefined) {
      m = new Map();
      closed.set(key, m);
    }
    m.set(start, [start, acc, version, revision]);
  }
  const closedEntries: ClosedKeyEntry<A>[] = [];
  for (const [key, m] of closed) {
    if (m.size > 0) closedEntries.push([key, [...m.values()].sort((x, y) => x[0] - y[0])]);
  }
  return {
    format: changes.format,
    partition: changes.partition,
    inputs: changes.inputs,
    late: changes.late,
    duplicates: changes.duplicates,
    ...(changes.restatements === undefined ? {} : { restatements: changes.restatements }),
    keys: [...keys.values()],
    ...(closedEntries.length === 0 ? {} : { closed: closedEntries }),
    closedKeys: changes.closedKeys,
    ...(changes.groupInputs === undefined ? {} : { groupInputs: changes.groupInputs }),
    ...(changes.ungroupedInputs === undefined ? {} : { ungroupedInputs: changes.ungroupedInputs }),
  };
}

const CELL_BYTES = 110;

/** The cells of one window end; `dead`: how many of them were freed early (compacted when half are). */
interface Bucket<A> {
  cells: WindowCell<A>[];
  dead: number;
}

/** Cells by window end, so the cells due at a time are found in proportion to how many there are. */
class EndIndex<A> {
  private readonly buckets = new Map<number, Bucket<A>>();
  /** Ends present in `buckets`, ascending. */
  private ends: number[] = [];

  /** The smallest end indexed (+Infinity when empty). */
  get first(): number {
    return this.ends.length === 0 ? Number.POSITIVE_INFINITY : this.ends[0];
  }

  add(cell: WindowCell<A>): void {
    let bucket = this.buckets.get(cell.end);
    if (bucket === undefined) {
      bucket = { cells: [], dead: 0 };
      this.buckets.set(cell.end, bucket);
      const ends = this.ends;
      let j = ends.length;
      while (j > 0 && ends[j - 1] > cell.end) j--;
      ends.splice(j, 0, cell.end);
    }
    bucket.cells.push(cell);
  }

  /**
   * A cell (flagged freed) left before its end came: it stays in its bucket, skipped, until half the bucket is
   * such cells; then the bucket is compacted (so closing by key does not hold freed cells until the horizon).
   */
  remove(cell: WindowCell<A>): void {
    const bucket = this.buckets.get(cell.end);
    if (bucket === undefined) return;
    bucket.dead++;
    if (bucket.dead * 2 > bucket.cells.length) {
      bucket.cells = bucket.cells.filter((c) => !c.freed);
      bucket.dead = 0;
    }
  }

  /** Removes every entry with `end ≤ limit` from the index, in order of end, into `out` (freed ones skipped). */
  pop(limit: number, out: WindowCell<A>[]): WindowCell<A>[] {
    const ends = this.ends;
    let n = 0;
    while (n < ends.length && ends[n] <= limit) {
      const cells = (this.buckets.get(ends[n]) as Bucket<A>).cells;
      this.buckets.delete(ends[n]);
      for (let i = 0; i < cells.length; i++) if (!cells[i].freed) out.push(cells[i]);
      n++;
    }
    if (n > 0) this.ends = ends.slice(n);
    return out;
  }
}

/**
 * The open windows of one partition, by key, plus an index by window end so closing is proportional to
 * what closes (by the partition's time; with key-level closing the index serves the restatement horizon,
 * each key's clock closing its own windows). Tracks which keys changed since the last checkpoint and an
 * estimate of its heap size.
 */
export class WindowStore<A> {
  /** Key → its oldest open window (the head of its list). */
  private readonly keys = new Map<string, WindowCell<A>>();
  /** Open cells by window end. */
  private readonly index = new EndIndex<A>();
  private readonly dirty = new Set<string>();
  /** Keys closed by closeKey → end of their last finalised window. Insertion ordered, so roughly by time. */
  readonly closedKeys = new Map<string, number>();
  private openWindows = 0;
  private size = 0;

  constructor(
    private readonly cellBytes: number,
    private readonly sizeMs: number,
  ) {}

  get keyCount(): number {
    return this.keys.size;
  }

  get windowCount(): number {
    return this.openWindows;
  }

  get bytes(): number {
    return this.size;
  }

  /** The smallest end indexed (+Infinity when none). */
  get nextEnd(): number {
    return this.index.first;
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** The oldest open window of `key`, the head of its list. */
  head(key: string): WindowCell<A> | null {
    return this.keys.get(key) ?? null;
  }

  /** The open cell of `key` for the window starting at `start`, if any. */
  find(key: string, start: number): WindowCell<A> | undefined {
    for (let c = this.keys.get(key) ?? null; c !== null; c = c.next) {
      if (c.start === start) return c;
      if (c.start > start) return undefined;
    }
    return undefined;
  }

  /** Adds an open cell for `[start, end)` of `key` (absent). */
  insert(key: string, start: number, end: number, acc: A, version: number): WindowCell<A> {
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
    this.index.add(cell);
    this.openWindows++;
    this.size += this.cellBytes;
    return cell;
  }

  /** The cell of `key` for window `[start, end)`, created from `factory.initial()` (version 0) when absent. */
  getOrCreate(key: string, start: number, end: number, factory: { initial(): A }): WindowCell<A> {
    return this.find(key, start) ?? this.insert(key, start, end, factory.initial(), 0);
  }

  /** The open windows of `key`, oldest first. */
  windowsOf(key: string): WindowCell<A>[] {
    const out: WindowCell<A>[] = [];
    for (let c = this.keys.get(key) ?? null; c !== null; c = c.next) out.push(c);
    return out;
  }

  markDirty(key: string): void {
    this.dirty.add(key);
  }

  /**
   * Removes every cell with `end ≤ limit`, in order of end, into `out` (flagged freed). Keys left without
   * windows are deleted. Returns `out`.
   */
  popClosable(limit: number, out: WindowCell<A>[]): WindowCell<A>[] {
    const first = out.length;
    this.index.pop(limit, out);
    for (let i = first; i < out.length; i++) this.free(out[i]);
    return out;
  }

  /** Removes a cell; returns true when its key has no open window left (and is gone from the store). */
  free(cell: WindowCell<A>): boolean {
    cell.freed = true;
    this.index.remove(cell);
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
    this.openWindows--;
    this.size -= this.cellBytes;
    this.dirty.add(cell.key);
    return gone;
  }

  /** Removes all of `key`'s cells (oldest first) into `out` and remembers the key as closed. */
  removeKey(key: string, out: WindowCell<A>[]): WindowCell<A>[] {
    const first = out.length;
    for (const cell of this.windowsOf(key)) {
      this.free(cell);
      out.push(cell);
    }
    this.closeKeyUntil(key, out, first);
    return out;
  }

  /** Remembers `key` as closed until the largest end among `cells[from…]` (the windows it finalised). */
  private closeKeyUntil(key: string, cells: readonly WindowCell<A>[], from: number): void {
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

  /**
   * Keys changed since the last `markClean`, with their current windows or as deleted; `keep(key)` keeps an
   * entry without open windows (key-level closing: the key's clock time while it holds closed windows).
   */
  changes(
    clockTime?: (key: string) => number | undefined,
    keep?: (key: string) => boolean,
  ): { upserts: KeyEntry<A>[]; deletes: string[] } {
    const upserts: KeyEntry<A>[] = [];
    const deletes: string[] = [];
    for (const key of this.dirty) {
      const head = this.keys.get(key) ?? null;
      if (head === null && keep?.(key) !== true) deletes.push(key);
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

  /** Every key with open windows, plus `extra` keys (kept without open windows), as snapshot entries. */
  entries(clockTime?: (key: string) => number | undefined, extra?: Iterable<string>): KeyEntry<A>[] {
    const out: KeyEntry<A>[] = [];
    for (const [key, head] of this.keys) out.push(entryOf(key, head, clockTime));
    if (extra !== undefined) for (const key of extra) if (!this.keys.has(key)) out.push(entryOf(key, null, clockTime));
    return out;
  }

  /** Loads the windows of a snapshot into this (empty) store; nothing is dirty afterwards. */
  load(keys: WindowSnapshot<A>['keys'], closedKeys: WindowSnapshot<A>['closedKeys']): void {
    for (const entry of keys) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1])) {
        throw new SnapshotFormatError('window snapshot key entries must be [key, [[start, acc, version], …]]', {
          context: { entry: JSON.stringify(entry)?.slice(0, 200) },
        });
      }
      for (const w of entry[1]) {
        if (!Array.isArray(w) || typeof w[0] !== 'number' || typeof w[2] !== 'number') {
          throw new SnapshotFormatError('window snapshot windows must be [start, acc, version]', {
            context: { key: entry[0] },
          });
        }
        this.insert(entry[0], w[0], w[0] + this.sizeMs, w[1], w[2]);
      }
    }
    for (const [key, until] of closedKeys) this.closedKeys.set(key, until);
    this.dirty.clear();
  }
}

export function windowCellBytes(accumulatorBytes: number): number {
  return CELL_BYTES + accumulatorBytes;
}

function entryOf<A>(
  key: string,
  head: WindowCell<A> | null,
  clockTime?: (key: string) => number | undefined,
): KeyEntry<A> {
  const windows: WindowEntry<A>[] = [];
  for (let c = head; c !== null; c = c.next) windows.push([c.start, c.acc, c.version]);
  const t = clockTime?.(key);
  return t === undefined ? [key, windows] : [key, windows, t];
}

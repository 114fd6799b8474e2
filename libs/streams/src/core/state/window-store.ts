import { SnapshotFormatError } from '../processing/errors';
import { keyBytes } from './size-estimate';

/** One open window of one key. Mutated in place; `version` counts the row's emissions. */
export class WindowCell<A> {
  /** Queued for a `current` emission at the end of the batch. */
  pending = false;
  /** Finalised and removed from the store; ignore wherever still referenced. */
  closed = false;
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

export const WINDOW_SNAPSHOT_FORMAT = 'switchboard.windows/1';

/** `[windowStart, accumulator, version]` for each open window of a key, oldest first. */
export type WindowEntry<A> = [start: number, acc: A, version: number];

/** The open windows of one partition and the time that orders them: plain JSON. */
export interface WindowSnapshot<A> {
  format: typeof WINDOW_SNAPSHOT_FORMAT;
  partition: number;
  /** Per input (upstream partition): `[source, streamTime or null before any, highest sequence or -1]`. */
  inputs: Array<[source: number, time: number | null, sequence: number]>;
  late: number;
  duplicates: number;
  keys: Array<[key: string, windows: WindowEntry<A>[]]>;
  /** Keys closed by `closeKey`, with the end of the last window they finalised: they accept nothing before it. */
  closedKeys: Array<[key: string, closedUntil: number]>;
}

/**
 * What changed since the last checkpoint: every key touched since then, with its open windows
 * (`upserts`) or as gone (`deletes`), plus the small per-partition fields in full.
 */
export interface WindowChanges<A> extends Omit<WindowSnapshot<A>, 'keys'> {
  upserts: Array<[key: string, windows: WindowEntry<A>[]]>;
  deletes: string[];
}

/** Folds checkpointed changes into a full snapshot (what a checkpoint table of per-key rows holds). */
export function applyWindowChanges<A>(
  base: WindowSnapshot<A> | undefined,
  changes: WindowChanges<A>,
): WindowSnapshot<A> {
  const keys = new Map(base?.keys ?? []);
  for (const key of changes.deletes) keys.delete(key);
  for (const [key, windows] of changes.upserts) keys.set(key, windows);
  return {
    format: WINDOW_SNAPSHOT_FORMAT,
    partition: changes.partition,
    inputs: changes.inputs,
    late: changes.late,
    duplicates: changes.duplicates,
    keys: [...keys],
    closedKeys: changes.closedKeys,
  };
}

const CELL_BYTES = 110;

/**
 * The open windows of one partition, by key, plus an index by window end so closing is proportional to
 * what closes. Tracks which keys changed since the last checkpoint and an estimate of its heap size.
 */
export class WindowStore<A> {
  /** Key → its oldest open window (the head of its list). */
  private readonly keys = new Map<string, WindowCell<A>>();
  /** Cells by window end; a cell removed early (closeKey) stays here flagged `closed`. */
  private readonly buckets = new Map<number, WindowCell<A>[]>();
  /** Ends present in `buckets`, ascending. */
  private ends: number[] = [];
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

  /** The cell of `key` for window `[start, end)`, created from `factory.initial()` (version 0) when absent. */
  getOrCreate(key: string, start: number, end: number, factory: { initial(): A }): WindowCell<A> {
    const head = this.keys.get(key);
    let prev: WindowCell<A> | null = null;
    for (let c = head ?? null; c !== null; c = c.next) {
      if (c.start === start) return c;
      if (c.start > start) break;
      prev = c;
    }
    const cell = new WindowCell<A>(key, start, end, factory.initial(), 0);
    if (head === undefined) {
      this.keys.set(key, cell);
      this.size += keyBytes(key.length);
    } else if (prev === null) {
      cell.next = head;
      this.keys.set(key, cell);
    } else {
      cell.next = prev.next;
      prev.next = cell;
    }
    this.index(cell);
    return cell;
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
   * Removes every cell with `end ≤ limit`, in order of end, into `out` (flagged closed). Keys left without
   * windows are deleted. Returns `out`.
   */
  popClosable(limit: number, out: WindowCell<A>[]): WindowCell<A>[] {
    const ends = this.ends;
    let n = 0;
    while (n < ends.length && ends[n] <= limit) {
      const bucket = this.buckets.get(ends[n]) as WindowCell<A>[];
      this.buckets.delete(ends[n]);
      for (let i = 0; i < bucket.length; i++) {
        const cell = bucket[i];
        if (cell.closed) continue;
        this.detach(cell);
        out.push(cell);
      }
      n++;
    }
    if (n > 0) this.ends = ends.slice(n);
    return out;
  }

  /** Removes all of `key`'s cells (oldest first) into `out` and remembers the key as closed. */
  removeKey(key: string, out: WindowCell<A>[]): WindowCell<A>[] {
    const first = out.length;
    for (const cell of this.windowsOf(key)) {
      this.detach(cell);
      out.push(cell);
    }
    if (out.length === first) return out;
    let closedUntil = this.closedKeys.get(key) ?? Number.NEGATIVE_INFINITY;
    for (let i = first; i < out.length; i++) if (out[i].end > closedUntil) closedUntil = out[i].end;
    if (closedUntil > Number.NEGATIVE_INFINITY) {
      this.closedKeys.delete(key);
      this.closedKeys.set(key, closedUntil);
    }
    return out;
  }

  /** Forgets closed keys whose last window is itself closed by time (`closedUntil ≤ limit`). */
  purgeClosedKeys(limit: number): void {
    for (const [key, until] of this.closedKeys) {
      if (until > limit) break;
      this.closedKeys.delete(key);
    }
  }

  /** Keys changed since the last `markClean`, with their current windows or as deleted. */
  changes(): { upserts: Array<[string, WindowEntry<A>[]]>; deletes: string[] } {
    const upserts: Array<[string, WindowEntry<A>[]]> = [];
    const deletes: string[] = [];
    for (const key of this.dirty) {
      const head = this.keys.get(key);
      if (head === undefined) deletes.push(key);
      else upserts.push([key, encode(head)]);
    }
    return { upserts, deletes };
  }

  get dirtyCount(): number {
    return this.dirty.size;
  }

  markClean(): void {
    this.dirty.clear();
  }

  entries(): Array<[string, WindowEntry<A>[]]> {
    const out: Array<[string, WindowEntry<A>[]]> = [];
    for (const [key, head] of this.keys) out.push([key, encode(head)]);
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
        const acc = w[1];
        const cell = this.getOrCreate(entry[0], w[0], w[0] + this.sizeMs, { initial: () => acc });
        cell.version = w[2];
      }
    }
    for (const [key, until] of closedKeys) this.closedKeys.set(key, until);
    this.dirty.clear();
  }

  private index(cell: WindowCell<A>): void {
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
    this.openWindows++;
    this.size += this.cellBytes;
  }

  private detach(cell: WindowCell<A>): void {
    cell.closed = true;
    const head = this.keys.get(cell.key) as WindowCell<A>;
    if (head === cell) {
      if (cell.next === null) {
        this.keys.delete(cell.key);
        this.size -= keyBytes(cell.key.length);
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
  }
}

export function windowCellBytes(accumulatorBytes: number): number {
  return CELL_BYTES + accumulatorBytes;
}

function encode<A>(head: WindowCell<A>): WindowEntry<A>[] {
  const out: WindowEntry<A>[] = [];
  for (let c: WindowCell<A> | null = head; c !== null; c = c.next) out.push([c.start, c.acc, c.version]);
  return out;
}

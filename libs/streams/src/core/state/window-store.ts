import { SnapshotFormatError } from '../processing/errors';
import { keyBytes } from './size-estimate';

/** One open window of one key. Mutated in place; `version` counts the row's emissions. */
export class WindowCell<A> {
  /** Queued for a `current` emission at the end of the batch. */
  pending = false;
  /** Finalised and removed from the store; ignore wherever still referenced. */
  closed = false;

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

const CELL_BYTES = 120;

/**
 * The open windows of one partition, by key, plus an index by window end so closing is proportional to
 * what closes. Tracks which keys changed since the last checkpoint and an estimate of its heap size.
 */
export class WindowStore<A> {
  private readonly keys = new Map<string, WindowCell<A>[]>();
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
    let cells = this.keys.get(key);
    if (cells !== undefined) {
      for (let i = 0; i < cells.length; i++) if (cells[i].start === start) return cells[i];
    } else {
      cells = [];
      this.keys.set(key, cells);
      this.size += keyBytes(key.length) + 32;
    }
    const cell = new WindowCell<A>(key, start, end, factory.initial(), 0);
    this.insert(cells, cell);
    return cell;
  }

  /** The open windows of `key`, oldest first (do not mutate). */
  windowsOf(key: string): readonly WindowCell<A>[] | undefined {
    return this.keys.get(key);
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
    const cells = this.keys.get(key);
    if (cells === undefined) return out;
    const first = out.length;
    for (const cell of cells.slice()) {
      this.detach(cell);
      out.push(cell);
    }
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
      const cells = this.keys.get(key);
      if (cells === undefined) deletes.push(key);
      else upserts.push([key, encode(cells)]);
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
    for (const [key, cells] of this.keys) out.push([key, encode(cells)]);
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

  private insert(cells: WindowCell<A>[], cell: WindowCell<A>): void {
    // keep a key's cells ordered by start (they are few: size/step of them at most, plus grace)
    let i = cells.length;
    while (i > 0 && cells[i - 1].start > cell.start) i--;
    cells.splice(i, 0, cell);
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
    const cells = this.keys.get(cell.key) as WindowCell<A>[];
    const i = cells.indexOf(cell);
    cells.splice(i, 1);
    this.openWindows--;
    this.size -= this.cellBytes;
    if (cells.length === 0) {
      this.keys.delete(cell.key);
      this.size -= keyBytes(cell.key.length) + 32;
    }
    this.dirty.add(cell.key);
  }
}

export function windowCellBytes(accumulatorBytes: number): number {
  return CELL_BYTES + accumulatorBytes;
}

function encode<A>(cells: WindowCell<A>[]): WindowEntry<A>[] {
  const out: WindowEntry<A>[] = new Array(cells.length);
  for (let i = 0; i < cells.length; i++) out[i] = [cells[i].start, cells[i].acc, cells[i].version];
  return out;
}

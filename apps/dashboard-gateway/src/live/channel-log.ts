/**
 * One channel's live state, pure (no socket, no Kafka): the latest version of each row, a sequence number that
 * grows by one at every accepted row change, and a bounded ring of the last changes for resume.
 *
 * - `apply` keeps a row only when its version is higher than the one held: duplicates and older deliveries are
 *   dropped, so no seq ever carries an older version of a row than an earlier seq did.
 * - At most `maxRows` rows (tombstones included). Once full, changes of rows already held are still applied, and a
 *   new id either is refused (`whenFull: 'refuse'`, counted in `refused`) or takes the place of the row changed least
 *   recently (`'evictOldest'`, counted in `evicted.limit`); `onFull` hears of each. Rows forgotten — evicted, or
 *   pruned out of a horizon — leave their version behind (the last `maxRows` of them), so an older delivery of such
 *   an id is not accepted again: a client holding the newer one never gets it.
 * - The ring holds the last `ringSize` changes. `frameSince(seq)` is a delta of every row changed after `seq`,
 *   conflated to the latest version per row, when the ring still covers it; otherwise null (send a snapshot).
 */
export interface LiveRow {
  /** The row id (the update id, or the service status key). */
  id: string;
  kind: string;
  version: number;
  /** The row as the table holds it; null for a removed row (a tombstone). */
  row: Record<string, unknown> | null;
}

interface Held extends LiveRow {
  /** Seq of this row's last change. */
  seq: number;
  /** Epoch ms of the row's last change (what idle eviction judges by). */
  changedAt: number;
}

/** What a full log does with a new id: refuse it, or forget the row changed least recently to make room. */
export type WhenFull = 'refuse' | 'evictOldest';

export interface ChannelLogOptions {
  epoch: string;
  maxRows: number;
  ringSize: number;
  /** Default `refuse`. */
  whenFull?: WhenFull;
  /** A new id met a full log (refused, or another row evicted for it). */
  onFull?: (outcome: 'refused' | 'evicted') => void;
}

export interface ChannelDelta {
  from: number;
  seq: number;
  rows: LiveRow[];
}

export class ChannelLog {
  readonly epoch: string;
  private current = 0;
  private readonly rows = new Map<string, Held>();
  private readonly ring: (Held | undefined)[];
  /** The versions of forgotten rows (oldest first, at most maxRows), so they are not taken back at an older one. */
  private readonly forgotten = new Map<string, number>();
  /** Rows refused because the channel was full. */
  refused = 0;
  /** Rows forgotten: to make room for a new id (`limit`), or by `prune` (`pruned`: aged out or idle). */
  readonly evicted = { limit: 0, pruned: 0 };

  constructor(private readonly opts: ChannelLogOptions) {
    if (!(opts.maxRows >= 1) || !(opts.ringSize >= 1)) throw new Error('maxRows and ringSize must be ≥ 1');
    this.epoch = opts.epoch;
    this.ring = new Array(opts.ringSize);
  }

  get seq(): number {
    return this.current;
  }

  get size(): number {
    return this.rows.size;
  }

  /** The version held for a row (0: none). */
  versionOf(id: string): number {
    return this.rows.get(id)?.version ?? 0;
  }

  /** The row held for an id (null: a tombstone; undefined: none). */
  row(id: string): Record<string, unknown> | null | undefined {
    return this.rows.get(id)?.row;
  }

  /**
   * Applies one row change that happened at `changedAt` (epoch ms); true when accepted (a newer version than held or
   * forgotten, and room for a new id).
   */
  apply(change: LiveRow, changedAt = 0): boolean {
    const held = this.rows.get(change.id);
    if (held) {
      if (change.version <= held.version) return false;
      this.rows.delete(change.id); // the map stays in order of last change: the first is the least recently changed
    } else {
      const forgotten = this.forgotten.get(change.id);
      if (forgotten !== undefined && change.version <= forgotten) return false;
      if (this.rows.size >= this.opts.maxRows && !this.makeRoom()) return false;
      this.forgotten.delete(change.id);
    }
    const seq = ++this.current;
    const next: Held = { id: change.id, kind: change.kind, version: change.version, row: change.row, seq, changedAt };
    this.rows.set(change.id, next);
    this.ring[seq % this.ring.length] = next;
    return true;
  }

  /**
   * Forgets rows the predicate names (aged out of the channel's horizon, or idle since `changedAt`). Clients are not
   * told: a row that ages out leaves the snapshot, as they apply the same horizon. Returns how many were dropped.
   */
  prune(expired: (row: LiveRow, changedAt: number) => boolean): number {
    let dropped = 0;
    for (const held of this.rows.values()) {
      if (expired(held, held.changedAt)) {
        this.forget(held);
        dropped++;
      }
    }
    this.evicted.pruned += dropped;
    return dropped;
  }

  /** A full log and a new id: refuse it, or evict the row changed least recently. */
  private makeRoom(): boolean {
    if (this.opts.whenFull !== 'evictOldest') {
      this.refused++;
      this.opts.onFull?.('refused');
      return false;
    }
    const oldest = this.rows.values().next().value as Held;
    this.forget(oldest);
    this.evicted.limit++;
    this.opts.onFull?.('evicted');
    return true;
  }

  private forget(held: Held): void {
    this.rows.delete(held.id);
    this.forgotten.set(held.id, held.version);
    if (this.forgotten.size > this.opts.maxRows) this.forgotten.delete(this.forgotten.keys().next().value as string);
  }

  /** Every live row (tombstones left out), with the seq they are current at. */
  snapshot(): { seq: number; rows: LiveRow[] } {
    const rows: LiveRow[] = [];
    for (const held of this.rows.values()) if (held.row !== null) rows.push(strip(held));
    return { seq: this.current, rows };
  }

  /** Whether a client at `seq` can be brought up to date from the ring (else it needs a snapshot). */
  canResumeFrom(seq: number): boolean {
    return Number.isSafeInteger(seq) && seq >= 0 && seq <= this.current && this.current - seq <= this.ring.length;
  }

  /** The rows changed after `seq`, latest version per row, in change order; null when the ring no longer covers it. */
  frameSince(seq: number): ChannelDelta | null {
    if (!this.canResumeFrom(seq)) return null;
    const latest = new Map<string, Held>();
    for (let s = seq + 1; s <= this.current; s++) {
      const change = this.ring[s % this.ring.length] as Held;
      latest.delete(change.id); // a later change moves the row to its place in change order
      latest.set(change.id, change);
    }
    const rows: LiveRow[] = [];
    // A ring slot keeps the version of its change; a later change of the same row supersedes it above.
    for (const change of latest.values()) rows.push(strip(change));
    return { from: seq, seq: this.current, rows };
  }
}

function strip(held: Held): LiveRow {
  return { id: held.id, kind: held.kind, version: held.version, row: held.row };
}

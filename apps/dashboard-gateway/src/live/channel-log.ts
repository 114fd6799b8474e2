/**
 * One channel's live state, pure (no socket, no Kafka): the latest version of each row, a sequence number that
 * grows by one at every accepted row change, and a bounded ring of the last changes for resume.
 *
 * - `apply` keeps a row only when its version is higher than the one held: duplicates and older deliveries are
 *   dropped, so no seq ever carries an older version of a row than an earlier seq did.
 * - At most `maxRows` rows (tombstones included): once full, changes of rows already held are still applied, new
 *   ids are refused (counted in `refused`). Refusing — rather than evicting — means an id is never forgotten and
 *   re-accepted at an older version.
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
}

export interface ChannelLogOptions {
  epoch: string;
  maxRows: number;
  ringSize: number;
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
  /** Rows refused because the channel was full. */
  refused = 0;

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

  /** Applies one row change; true when accepted (a newer version, room for a new id). */
  apply(change: LiveRow): boolean {
    const held = this.rows.get(change.id);
    if (held) {
      if (change.version <= held.version) return false;
    } else if (this.rows.size >= this.opts.maxRows) {
      this.refused++;
      return false;
    }
    const seq = ++this.current;
    const next: Held = { id: change.id, kind: change.kind, version: change.version, row: change.row, seq };
    this.rows.set(change.id, next);
    this.ring[seq % this.ring.length] = next;
    return true;
  }

  /**
   * Forgets rows the predicate names (aged out of the channel's horizon). Clients are not told: they apply the
   * same horizon. Returns how many were dropped.
   */
  prune(expired: (row: LiveRow) => boolean): number {
    let dropped = 0;
    for (const [id, held] of this.rows) {
      if (expired(held)) {
        this.rows.delete(id);
        dropped++;
      }
    }
    return dropped;
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

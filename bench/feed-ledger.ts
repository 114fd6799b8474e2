/** Versions of a row remembered (a ring): receivers never ask for one that far behind the newest. */
const VERSIONS_KEPT = 4096;

export interface LedgerBuffers {
  versions: SharedArrayBuffer;
  acks: SharedArrayBuffer;
}

/**
 * What has been produced, shared between the feed's worker thread (writes) and the receivers (read): per row its
 * newest version (counted at send) and, per version, when the broker acknowledged it (epoch ms).
 */
export class FeedLedger {
  private readonly versions: Int32Array;
  private readonly acks: Float64Array;

  constructor(readonly buffers: LedgerBuffers) {
    this.versions = new Int32Array(buffers.versions);
    this.acks = new Float64Array(buffers.acks);
  }

  static create(rows: number): FeedLedger {
    const ledger = new FeedLedger({
      versions: new SharedArrayBuffer(rows * Int32Array.BYTES_PER_ELEMENT),
      acks: new SharedArrayBuffer(rows * VERSIONS_KEPT * Float64Array.BYTES_PER_ELEMENT),
    });
    ledger.acks.fill(Number.NaN);
    return ledger;
  }

  /** The newest version produced of row `i` (0: none yet). */
  version(i: number): number {
    return Atomics.load(this.versions, i);
  }

  /** The next version of row `i`, counted as produced. */
  next(i: number): number {
    const v = Atomics.add(this.versions, i, 1) + 1;
    this.acks[this.slot(i, v)] = Number.NaN;
    return v;
  }

  acked(i: number, v: number, at: number): void {
    this.acks[this.slot(i, v)] = at;
  }

  /** When the broker acknowledged version `v` of row `i` (undefined: not yet, or too long ago to remember). */
  ackedAt(i: number, v: number): number | undefined {
    if (v < 1 || this.version(i) - v >= VERSIONS_KEPT) return undefined;
    const at = this.acks[this.slot(i, v)];
    return Number.isNaN(at) ? undefined : at;
  }

  private slot(i: number, v: number): number {
    return i * VERSIONS_KEPT + (v % VERSIONS_KEPT);
  }
}

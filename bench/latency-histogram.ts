/**
 * Latencies in fixed 0.1 ms buckets up to a ceiling (anything above lands in the last bucket; the exact maximum
 * is kept aside): millions of (update, client) samples cost one array, not one number each.
 */
export class LatencyHistogram {
  private static readonly BUCKET_MS = 0.1;
  private readonly buckets: Uint32Array;
  private maxMs = Number.NEGATIVE_INFINITY;
  count = 0;

  constructor(ceilingMs = 120_000) {
    this.buckets = new Uint32Array(Math.ceil(ceilingMs / LatencyHistogram.BUCKET_MS) + 1);
  }

  /** A sample below 0 (the delivery was seen before its produce ack was) counts as 0. */
  add(ms: number): void {
    const b = Math.min(this.buckets.length - 1, Math.max(0, Math.floor(ms / LatencyHistogram.BUCKET_MS)));
    this.buckets[b]++;
    this.count++;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** The upper edge of the bucket holding the q-quantile (NaN without samples). */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(this.count * q));
    let seen = 0;
    for (let b = 0; b < this.buckets.length; b++) {
      seen += this.buckets[b];
      if (seen >= rank) return Math.min((b + 1) * LatencyHistogram.BUCKET_MS, this.maxMs);
    }
    return this.maxMs;
  }

  get max(): number {
    return this.count === 0 ? Number.NaN : this.maxMs;
  }
}

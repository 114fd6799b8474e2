/**
 * Counts per key (a tenant, a token) against one limit, a key kept only while its count is above zero: what the live
 * bounds per tenant and per token are made of, so that one tenant's use is judged by its own count only.
 */
export class KeyCounts {
  private readonly counts = new Map<string, number>();

  constructor(readonly limit: number) {}

  of(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Whether the key is at (or above) its limit: one more is refused or must take an old one's place. */
  full(key: string): boolean {
    return this.of(key) >= this.limit;
  }

  add(key: string, by = 1): void {
    const n = this.of(key) + by;
    if (n > 0) this.counts.set(key, n);
    else this.counts.delete(key);
  }

  /** Σ over every key. */
  get total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  /** How many keys are at their limit. */
  get keysAtLimit(): number {
    let n = 0;
    for (const c of this.counts.values()) if (c >= this.limit) n++;
    return n;
  }
}

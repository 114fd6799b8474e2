import { LRUCache } from 'lru-cache';

export interface FailedAuthLimits {
  /** Failed authentications of one client address within `windowMs` before it is refused. */
  limit: number;
  windowMs: number;
  /** How long an address over the limit is refused, before any key is looked up. */
  blockMs: number;
}

/** Addresses followed at once: a flood from many addresses evicts the oldest, never grows memory. */
const MAX_CLIENTS = 50_000;

/**
 * Failed authentications per client address. Every unknown key costs a database lookup (unknown keys are not
 * cached, or random keys would fill the cache), and the tenant's rate limit runs only after authentication: without
 * this, a client guessing keys spends the pool that real tenants need. Successful requests are not counted.
 */
export class FailedAuthLimiter {
  private readonly clients: LRUCache<string, { failures: number; since: number; blockedUntil: number }>;

  constructor(
    private readonly limits: FailedAuthLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.clients = new LRUCache({ max: MAX_CLIENTS });
  }

  /** Seconds the address must wait before it may try again (0: it may try now). */
  retryAfterSeconds(client: string): number {
    const entry = this.clients.get(client);
    const left = entry ? entry.blockedUntil - this.now() : 0;
    return left > 0 ? Math.ceil(left / 1000) : 0;
  }

  failed(client: string): void {
    const now = this.now();
    const entry = this.clients.get(client);
    if (!entry || now - entry.since >= this.limits.windowMs) {
      this.clients.set(client, { failures: 1, since: now, blockedUntil: 0 });
      return;
    }
    entry.failures++;
    if (entry.failures >= this.limits.limit) entry.blockedUntil = now + this.limits.blockMs;
  }
}

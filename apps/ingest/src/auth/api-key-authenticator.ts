import { hashApiKey, isWellFormedApiKey } from '@switchboard/domain';
import { ApiError } from '../http/api-error';
import type { ApiKeyRepository } from './api-key.repository';
import type { FailedAuthLimiter } from './failed-auth-limiter';

const MAX_CACHED = 10_000;

/**
 * Turns an Authorization header into a tenant. Lookups are cached for `cacheMs` (a revocation takes
 * effect within that time) so a busy tenant costs no database round trip per request; unknown keys are
 * not cached, so a hostile client cannot fill the cache.
 */
export class ApiKeyAuthenticator {
  private readonly cache = new Map<string, { tenant: string; until: number }>();

  constructor(
    private readonly repo: ApiKeyRepository,
    private readonly cacheMs: number,
    private readonly retryAfterSeconds: number,
    private readonly failures?: FailedAuthLimiter,
    private readonly now: () => number = Date.now,
    private readonly onLookupFailure: (err: Error) => void = () => undefined,
  ) {}

  /**
   * The tenant of the header's key. `client` (the caller's address) is refused with 429 after too many failures,
   * before any lookup; a key trusted from the cache still passes, so a busy tenant behind the same NAT as a client
   * with a bad key keeps sending.
   */
  async authenticate(authorization: string | undefined, client = 'unknown'): Promise<string> {
    try {
      const hash = this.keyHash(authorization);
      const cached = this.cache.get(hash.toString('base64'));
      if (cached && cached.until > this.now()) return cached.tenant;
      this.refuseIfBlocked(client);
      return await this.lookup(hash);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) this.failures?.failed(client);
      throw err;
    }
  }

  private refuseIfBlocked(client: string): void {
    const wait = this.failures?.retryAfterSeconds(client) ?? 0;
    if (wait === 0) return;
    throw new ApiError(
      429,
      'too_many_failed_authentications',
      'too many requests with a missing or invalid API key from this address; retry after Retry-After seconds',
      { 'Retry-After': String(wait) },
    );
  }

  private keyHash(authorization: string | undefined): Buffer {
    if (!authorization)
      throw ApiError.unauthorized('missing Authorization header; send "Authorization: Bearer <api key>"');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw ApiError.unauthorized('Authorization must be "Bearer <api key>"');
    const key = match[1];
    if (!isWellFormedApiKey(key)) throw ApiError.unauthorized('API key is not valid');
    return hashApiKey(key);
  }

  private async lookup(hash: Buffer): Promise<string> {
    const cacheKey = hash.toString('base64');
    let tenant: string | undefined;
    try {
      tenant = await this.repo.findActiveTenant(hash);
    } catch (err) {
      // The cause is the operator's (logged), not the caller's: a database error names hosts and tables.
      this.onLookupFailure(err as Error);
      throw new ApiError(503, 'unavailable', 'cannot check the API key right now; retry later', {
        'Retry-After': String(this.retryAfterSeconds),
      });
    }
    if (!tenant) {
      this.cache.delete(cacheKey);
      throw ApiError.unauthorized('API key is not valid or has been revoked');
    }
    if (this.cacheMs > 0) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(cacheKey, { tenant, until: this.now() + this.cacheMs });
    }
    return tenant;
  }
}

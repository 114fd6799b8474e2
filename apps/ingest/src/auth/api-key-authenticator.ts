import { hashApiKey, isWellFormedApiKey } from '@switchboard/domain';
import { ApiError } from '../http/api-error';
import type { ApiKeyRepository } from './api-key.repository';

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
    private readonly now: () => number = Date.now,
  ) {}

  async authenticate(authorization: string | undefined): Promise<string> {
    if (!authorization)
      throw ApiError.unauthorized('missing Authorization header; send "Authorization: Bearer <api key>"');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw ApiError.unauthorized('Authorization must be "Bearer <api key>"');
    const key = match[1];
    if (!isWellFormedApiKey(key)) throw ApiError.unauthorized('API key is not valid');
    const hash = hashApiKey(key);
    const cacheKey = hash.toString('base64');
    const cached = this.cache.get(cacheKey);
    if (cached && cached.until > this.now()) return cached.tenant;

    let tenant: string | undefined;
    try {
      tenant = await this.repo.findActiveTenant(hash);
    } catch (err) {
      throw new ApiError(
        503,
        'unavailable',
        `cannot check the API key right now (${(err as Error).message}); retry later`,
        {
          'Retry-After': String(this.retryAfterSeconds),
        },
      );
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

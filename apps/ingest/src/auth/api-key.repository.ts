import type { Pool } from 'pg';

/** The api_keys table, read side: which tenant a (hashed) key belongs to, if it is not revoked. */
export class ApiKeyRepository {
  constructor(private readonly pool: Pool) {}

  async findActiveTenant(keyHash: Buffer): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ tenant: string }>(
      'SELECT tenant FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
      [keyHash],
    );
    return rows[0]?.tenant;
  }
}

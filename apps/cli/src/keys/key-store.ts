import { generateApiKey, ID_PATTERN } from '@switchboard/domain';
import type { Pool } from 'pg';

export class KeyStoreError extends Error {
  constructor(
    message: string,
    readonly context: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'KeyStoreError';
  }
}

export interface CreatedKey {
  tenant: string;
  keyId: string;
  /** The only time the key exists in clear text: print it once, never store it. */
  key: string;
}

/** The api_keys / tenants tables, write side (the `switchboard keys` commands). */
export class KeyStore {
  constructor(private readonly pool: Pool) {}

  /** Creates the tenant row when missing, then a key for it. */
  async create(tenant: string, label?: string): Promise<CreatedKey> {
    if (!ID_PATTERN.test(tenant)) {
      throw new KeyStoreError('tenant must be 1–64 characters of A-Z a-z 0-9 . _ : -', { tenant });
    }
    const { keyId, key, hash } = generateApiKey();
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('INSERT INTO tenants (tenant) VALUES ($1) ON CONFLICT (tenant) DO NOTHING', [tenant]);
      await client.query('INSERT INTO api_keys (key_id, tenant, key_hash, label) VALUES ($1, $2, $3, $4)', [
        keyId,
        tenant,
        hash,
        label ?? null,
      ]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
    return { tenant, keyId, key };
  }

  /** Revokes a key by its id (the part after `sbk_`); revoking twice is a no-op, an unknown id an error. */
  async revoke(keyId: string): Promise<{ tenant: string; revokedAt: Date }> {
    const { rows } = await this.pool.query<{ tenant: string; revoked_at: Date }>(
      `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE key_id = $1 RETURNING tenant, revoked_at`,
      [keyId],
    );
    if (!rows[0]) throw new KeyStoreError(`no API key with id ${keyId}`, { keyId });
    return { tenant: rows[0].tenant, revokedAt: rows[0].revoked_at };
  }

  async list(
    tenant: string,
  ): Promise<{ keyId: string; label: string | null; createdAt: Date; revokedAt: Date | null }[]> {
    const { rows } = await this.pool.query(
      'SELECT key_id, label, created_at, revoked_at FROM api_keys WHERE tenant = $1 ORDER BY created_at',
      [tenant],
    );
    return rows.map((r) => ({ keyId: r.key_id, label: r.label, createdAt: r.created_at, revokedAt: r.revoked_at }));
  }
}

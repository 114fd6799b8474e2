import { MigrationInterface, QueryRunner } from 'typeorm';

/** Tenancy: every row of the product belongs to a tenant; integrators authenticate with hashed API keys. */
export class TenantsAndApiKeys1764072000000 implements MigrationInterface {
  name = 'TenantsAndApiKeys1764072000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tenants (
        tenant      text PRIMARY KEY CHECK (tenant ~ '^[A-Za-z0-9._:-]{1,64}$'),
        name        text,
        timezone    text NOT NULL DEFAULT 'UTC',
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE api_keys (
        key_id      text PRIMARY KEY,
        tenant      text NOT NULL REFERENCES tenants (tenant) ON DELETE CASCADE,
        key_hash    bytea NOT NULL UNIQUE,
        label       text,
        created_at  timestamptz NOT NULL DEFAULT now(),
        revoked_at  timestamptz
      )`);
    await q.query('CREATE INDEX api_keys_tenant_idx ON api_keys (tenant)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE api_keys');
    await q.query('DROP TABLE tenants');
  }
}

import { Client } from 'pg';
import { testEnv, uniqueName } from '../test/support/env';
import { migrations } from './index';
import { migrateDown, migrateUp } from './migrate';

// Against the real Postgres, in a database of its own: every migration applies and reverts cleanly.
describe('migrations (real Postgres)', () => {
  const dbName = uniqueName('mig').replaceAll('-', '_');
  const adminUrl = new URL(testEnv.databaseUrl);
  adminUrl.pathname = '/postgres';
  const url = new URL(testEnv.databaseUrl);
  url.pathname = `/${dbName}`;

  async function tables(): Promise<string[]> {
    const c = new Client({ connectionString: url.toString() });
    await c.connect();
    try {
      const r = await c.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename");
      return r.rows.map((row) => row.tablename);
    } finally {
      await c.end();
    }
  }

  async function admin(sql: string): Promise<void> {
    const c = new Client({ connectionString: adminUrl.toString() });
    await c.connect();
    await c.query(sql).finally(() => c.end());
  }

  beforeAll(() => admin(`CREATE DATABASE ${dbName}`));
  afterAll(() => admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));

  it('applies all, is idempotent, and reverts every one', async () => {
    const applied = await migrateUp(url.toString());
    expect(applied).toHaveLength(migrations.length);
    expect(await tables()).toEqual(expect.arrayContaining(['tenants', 'api_keys', 'schema_migrations']));
    expect(await migrateUp(url.toString())).toEqual([]);

    await migrateDown(url.toString(), migrations.length);
    expect(await tables()).toEqual(['schema_migrations']);

    expect(await migrateUp(url.toString())).toHaveLength(migrations.length);
  });
});

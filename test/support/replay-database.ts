import { Client } from 'pg';
import { migrateUp } from '../../migrations/migrate';
import { testEnv, uniqueName } from './env';

/**
 * A database of the spec's own, with every migration applied: for specs that empty whole tables (a replay),
 * so they never touch rows other specs own. `drop()` removes it (WITH FORCE: lingering connections too).
 */
export async function freshMigratedDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = uniqueName(prefix).replaceAll('-', '_');
  const admin = new URL(testEnv.databaseUrl);
  admin.pathname = '/postgres';
  const url = new URL(testEnv.databaseUrl);
  url.pathname = `/${name}`;
  const run = async (sql: string) => {
    const c = new Client({ connectionString: admin.toString() });
    await c.connect();
    await c.query(sql).finally(() => c.end());
  };
  await run(`CREATE DATABASE ${name}`);
  await migrateUp(url.toString());
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { createStreamsSchema, dropStreamsSchema, streamsTables } from './schema';

/** Where the specs find the real Postgres (the library itself never reads the environment). */
export const specDatabaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/switchboard';

/** A pool plus the library's tables under a random prefix, so spec files never see each other's rows. */
export async function specTables(): Promise<{
  pool: Pool;
  prefix: string;
  tables: ReturnType<typeof streamsTables>;
  group: string;
  topic: string;
  close: () => Promise<void>;
}> {
  const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const prefix = `streams_t${suffix}_`;
  const pool = new Pool({ connectionString: specDatabaseUrl, max: 6 });
  await createStreamsSchema(pool, prefix);
  return {
    pool,
    prefix,
    tables: streamsTables(prefix),
    group: `g-${suffix}`,
    topic: `t-${suffix}`,
    close: async () => {
      await dropStreamsSchema(pool, prefix).catch(() => undefined);
      await pool.end();
    },
  };
}

/** Waits until `check` returns true (polling), or fails after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

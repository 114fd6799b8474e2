import type { Pool } from 'pg';

/** A sum table (see sum-topology) as a map "key@windowStart" → total, to compare with a batch computation. */
export async function sumTotals(pool: Pool, table: string): Promise<Map<string, number>> {
  const r = await pool.query<{ key: string; window_start: string; total: string }>(
    `SELECT key, window_start, total FROM ${table}`,
  );
  return new Map(r.rows.map((row) => [`${row.key}@${row.window_start}`, Number(row.total)]));
}

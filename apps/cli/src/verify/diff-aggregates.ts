/** One row that differs between the recomputation and Postgres. */
export interface RowDifference {
  table: string;
  row: string;
  expected: string | null;
  stored: string | null;
}

/**
 * Rows of `expected` and `stored` that differ, restricted to keys whose window start lies in [from, to)
 * (keys without a window, such as agents, always count).
 */
export function diffRows(
  table: string,
  expected: Map<string, string>,
  stored: Map<string, string>,
  from = Number.NEGATIVE_INFINITY,
  to = Number.POSITIVE_INFINITY,
): RowDifference[] {
  const inRange = (key: string) => {
    const at = key.lastIndexOf('@');
    const ws = at < 0 ? Number.NaN : Number(key.slice(at + 1));
    return !Number.isFinite(ws) || (ws >= from && ws < to);
  };
  const out: RowDifference[] = [];
  for (const key of new Set([...expected.keys(), ...stored.keys()])) {
    if (!inRange(key)) continue;
    const e = expected.get(key) ?? null;
    const s = stored.get(key) ?? null;
    if (e !== s) out.push({ table, row: key, expected: e, stored: s });
  }
  return out.sort((a, b) => a.row.localeCompare(b.row));
}

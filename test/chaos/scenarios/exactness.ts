import type { RowDifference } from '../../../apps/cli/src/verify/diff-aggregates';
import { diffRows } from '../../../apps/cli/src/verify/diff-aggregates';

/**
 * One table's rows as a batch recomputation gives them (`expected`) and as Postgres holds them (`stored`), and which
 * of the '|'-joined columns counts events (meter_energy_15m: readings; queue_stats_1m: offered), when one does.
 */
export interface TablePair {
  table: string;
  expected: Map<string, string>;
  stored: Map<string, string>;
  countColumn?: number;
}

/** What a chaos run's tables say of the events it had acknowledged. */
export interface Exactness {
  rowsCompared: number;
  rowsDiffering: number;
  /** Events the recomputation counts that no stored row counts (a missing row counts all of its events). */
  lost: number;
  /** Events stored rows count beyond the recomputation (an event applied twice). */
  doubled: number;
  /** The first differing rows, for a reader of the failure. */
  firstDifferences: RowDifference[];
}

/** Compares each table's stored rows with their recomputation and counts lost and doubled events. */
export function exactness(pairs: readonly TablePair[], keep = 5): Exactness {
  const out: Exactness = { rowsCompared: 0, rowsDiffering: 0, lost: 0, doubled: 0, firstDifferences: [] };
  for (const { table, expected, stored, countColumn } of pairs) {
    out.rowsCompared += new Set([...expected.keys(), ...stored.keys()]).size;
    const differences = diffRows(table, expected, stored);
    out.rowsDiffering += differences.length;
    out.firstDifferences.push(...differences.slice(0, Math.max(0, keep - out.firstDifferences.length)));
    if (countColumn === undefined) continue;
    for (const d of differences) {
      const gap = counted(d.stored, countColumn) - counted(d.expected, countColumn);
      if (gap > 0) out.doubled += gap;
      else out.lost -= gap;
    }
  }
  return out;
}

function counted(row: string | null, column: number): number {
  if (row === null) return 0;
  const n = Number(row.split('|')[column]);
  return Number.isFinite(n) ? n : 0;
}

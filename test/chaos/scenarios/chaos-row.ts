import type { RowDifference } from '../../../apps/cli/src/verify/diff-aggregates';

/** One line of the chaos table: what a scenario sent, what was acknowledged and what the tables made of it. */
export interface ChaosRow {
  scenario: string;
  /** The faults injected, as a person reads them ("SIGKILL b at 18 % of the input, …"). */
  faults: string;
  sent: number;
  acknowledged: number;
  /** Events read back from the input topics by `switchboard verify` (a retried publish that had landed counts twice). */
  inTopics: number;
  rowsCompared: number;
  /** Rows differing from a batch recomputation over the acknowledged events. */
  rowsDiffering: number;
  /** Differences `switchboard verify` found (its recomputation is over what it read back from the topics). */
  verifyDifferences: number;
  lost: number;
  doubled: number;
  /** Acknowledged events recorded as late data-quality events instead of counted. */
  late: number;
  /** Seconds from the last event acknowledged until every pipeline had checkpointed all of its input. */
  drainedSeconds: number;
  errorLines: number;
  firstDifferences: RowDifference[];
  /** What the scenario's own checks found wrong (dead letters missing, say); empty when they held. */
  planFailures: string[];
  notes: string;
}

/** Whether a row says nothing was lost, doubled or different (error lines are shown, not judged: a broker away logs). */
export function exact(row: ChaosRow): boolean {
  return (
    row.acknowledged === row.sent &&
    // More in the topics than acknowledged is a retried publish that had landed after all: the rows must absorb it.
    row.inTopics >= row.acknowledged &&
    row.rowsDiffering === 0 &&
    row.verifyDifferences === 0 &&
    row.lost === 0 &&
    row.doubled === 0 &&
    row.late === 0 &&
    row.planFailures.length === 0
  );
}

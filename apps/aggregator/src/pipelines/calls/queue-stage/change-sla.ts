import type { StreamRecord } from '@switchboard/streams';
import { QUEUE_WINDOW_MS } from '../../../calls';
import { answersStillOpen } from './open-answers';
import type { SlaFact } from './queue-sla-aggregator';
import type { QueueStageParts } from './queue-stage-parts';
import type { OpenAnswer, QueueState, SlaChange } from './queue-state';
import { compareSlaChanges, keptSlaChanges, slaAt, slasOf } from './sla-changes';

/**
 * Adds an SLA change and re-judges the open answers it covers whose verdict it flips. Changes no open, restatable
 * or future window can need any more (all but the newest at or before the oldest time a fact can still have: the
 * restatement horizon) are dropped.
 */
export function changeSla(
  parts: QueueStageParts,
  partition: number,
  key: string,
  state: QueueState,
  change: SlaChange,
): QueueState {
  const slas = [...slasOf(state), change].sort(compareSlaChanges);
  const closed = parts.closedBefore(partition, key);
  const answers = answersStillOpen(state, closed);
  rejudge(parts, partition, key, answers, state, slas);
  // a fact still to come ends after `partition time − grace − restateForMs`, and the tenant's time is not above it
  const kept = keptSlaChanges(slas, closed - parts.restateForMs - QUEUE_WINDOW_MS);
  return { ...state, slaSeconds: kept[kept.length - 1][3], slas: kept, answers };
}

/** Retracts with the old verdict and adds with the new each open answer whose verdict the new SLAs flip. */
function rejudge(
  parts: QueueStageParts,
  partition: number,
  key: string,
  answers: readonly OpenAnswer[],
  state: QueueState,
  slas: readonly SlaChange[],
): void {
  const rejudged: StreamRecord<SlaFact>[] = [];
  for (const [source, fact] of answers) {
    const before = slaAt(state, fact.ts);
    const after = slaAt({ slas }, fact.ts);
    if (fact.waitMs <= before * 1000 === fact.waitMs <= after * 1000) continue;
    const common = { key, timestamp: fact.ts, partition, source };
    rejudged.push({ ...common, value: { fact, slaSeconds: before }, retract: true });
    rejudged.push({ ...common, value: { fact, slaSeconds: after } });
  }
  // No sequence: these are not relay records (their source's time is already past them, so it does not move).
  if (rejudged.length > 0) parts.windows.process(rejudged);
}

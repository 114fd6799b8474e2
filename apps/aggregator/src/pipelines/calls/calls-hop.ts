import { streamId } from '@switchboard/domain';
import type { RepartitionMessage } from '@switchboard/streams';
import type { CallFact, WaitingCallChange } from '../../calls';

/**
 * What stage 1 (per call) sends stage 2 (per queue) through the repartition topic, keyed by `queueKey`.
 * - `fact`: a queue-statistics contribution; the record's `retract` flag takes it back out. It carries no SLA
 *   verdict: stage 2 decides it with the queue's SLA (see queue-sla-aggregator.ts).
 * - `waiting`: a waiting-gauge change; sent to each queue it names (leave and enter may differ).
 * - `queue`: the queue's properties (slaSeconds), so stage 2 knows the SLA of the queues it owns; timestamped with
 *   the tenant's time in the call-stage partition (the boundary's clock of the tenant: the highest timestamp the
 *   tenant sent on from there, idling in live mode), from which on the SLA applies; `byPartition` when the tenant
 *   had no time there yet and the partition's stream time stamped it instead (it then says nothing of the tenant's
 *   time).
 */
export type CallsHopValue =
  | { readonly kind: 'fact'; readonly fact: CallFact }
  | { readonly kind: 'waiting'; readonly change: WaitingCallChange }
  | { readonly kind: 'queue'; readonly slaSeconds: number; readonly name: string | null; readonly byPartition?: true };

/** A message of the hop topic as stage 2 reads it, with its offset (provenance of a late fact). */
export type HopMessage = RepartitionMessage<CallsHopValue> & { readonly offset?: string };

/** The time group of a stage-2 key (`<tenant>/<queue>`): its tenant. Stage 2 closes each tenant on its own time. */
export function tenantOfQueueKey(key: string): string {
  const at = key.indexOf('/');
  return at < 0 ? key : key.slice(0, at);
}

/** The calls pipeline's repartition topic: per group prefix (a fresh prefix gets a fresh hop), not namespaced. */
export function callsHopTopic(groupPrefix: string): string {
  return `${groupPrefix}.calls.by-queue`;
}

/** The stage-2 key of a queue: the queue's own stream id, so its properties and its facts meet on one partition. */
export function queueKey(tenant: string, queue: string): string {
  return streamId(tenant, queue);
}

/** The queues a waiting change concerns (one or two). */
export function queuesOfWaitingChange(change: WaitingCallChange): string[] {
  const queues: string[] = [];
  if (change.leave) queues.push(change.leave.queue);
  if (change.enter && change.enter.queue !== change.leave?.queue) queues.push(change.enter.queue);
  return queues;
}

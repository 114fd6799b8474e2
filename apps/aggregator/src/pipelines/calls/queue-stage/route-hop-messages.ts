import type { KeyedStore, RepartitionMessage } from '@switchboard/streams';
import { type CallsHopValue, type HopMessage, tenantOfQueueKey } from '../calls-hop';
import { changeSla } from './change-sla';
import { forgetClosedAnswers, trackAnswer } from './open-answers';
import { QueueGauges } from './queue-gauges';
import type { SlaFact } from './queue-sla-aggregator';
import type { QueueStageParts } from './queue-stage-parts';
import { emptyQueue, type OpenAnswer, type QueueState, type SlaChange } from './queue-state';
import { slaAt } from './sla-changes';

type HopRecord = HopMessage & { kind: 'record' };

/**
 * One batch of a queue-stage partition, in order: repeats of the relay are dropped by the per-source sequence; facts
 * go to the windows with the SLA in effect at their ts (`windowFact`), queue properties change the SLA
 * (`applySlaChange`), waiting changes move the queue's gauge; time markers go to the windows in their place. Then
 * the open answers of closed windows are forgotten and the moved gauges sent.
 */
export function routeHopMessages(parts: QueueStageParts, partition: number, messages: readonly HopMessage[]): void {
  const seen = parts.sequences.get(partition);
  const store = parts.queues.get(partition);
  if (!seen || !store) throw new Error(`queue stage: partition ${partition} is not assigned`);
  const toWindows = new WindowFeed(parts, partition);
  const gauges = new QueueGauges();
  for (const m of messages) {
    if (m.kind === 'time') {
      toWindows.pending.push(m);
      continue;
    }
    if (m.sequence <= (seen[m.sourcePartition] ?? -1)) continue; // a repeat of the relay
    seen[m.sourcePartition] = m.sequence;
    if (m.offset !== undefined) parts.offsets.set(`${m.sourcePartition}:${m.sequence}`, m.offset);
    const v = m.value;
    if (v.kind === 'fact') windowFact(store, toWindows, m, v);
    else if (v.kind === 'queue') applySlaChange(parts, partition, store, toWindows, m, v);
    else gauges.apply(m.key, store.get(m.key), v.change);
  }
  toWindows.flush();
  parts.offsets.clear();
  forgetClosedAnswers(store, messages, (key) => parts.closedBefore(partition, key));
  gauges.publish(store, parts.outbox, parts.opts.updatesTopic);
}

/** What goes to the windows, in arrival order, until something must see the windows up to here. */
class WindowFeed {
  pending: RepartitionMessage<SlaFact>[] = [];

  constructor(
    private readonly parts: QueueStageParts,
    private readonly partition: number,
  ) {}

  flush(): void {
    this.parts.windows.processMessages(this.partition, this.pending);
    this.pending = [];
  }
}

/** A fact with the SLA in effect at its ts; an answer is remembered as open (a later SLA change may re-judge it). */
function windowFact(
  store: KeyedStore<QueueState>,
  toWindows: WindowFeed,
  m: HopRecord,
  v: CallsHopValue & { kind: 'fact' },
): void {
  const state = store.get(m.key);
  toWindows.pending.push({ ...m, value: { fact: v.fact, slaSeconds: slaAt(state, v.fact.ts) } });
  if (v.fact.kind !== 'answered') return;
  const next = state?.answers ? state : { ...(state ?? emptyQueue()), answers: [] };
  trackAnswer(next.answers as OpenAnswer[], m.sourcePartition, v.fact, m.retract === true);
  store.set(m.key, next, m.timestamp);
}

/** A queue's properties: an SLA change at the record's timestamp, re-judging the open answers it covers. */
function applySlaChange(
  parts: QueueStageParts,
  partition: number,
  store: KeyedStore<QueueState>,
  toWindows: WindowFeed,
  m: HopRecord,
  v: CallsHopValue & { kind: 'queue' },
): void {
  // The facts before the change go into their windows first; then the change re-judges the ones it covers.
  toWindows.flush();
  // The stamp is the tenant's time at its source (call-stage/call-hops.ts): say so before re-judging, so the tenant's
  // time here, and with it what is closed, is not above it — every fact the change covers is then in a window
  // still open here, whatever the order the sources' messages came in.
  if (v.byPartition !== true)
    parts.windows.advanceTime(partition, m.sourcePartition, m.timestamp, [[tenantOfQueueKey(m.key), m.timestamp]]);
  const change: SlaChange = [m.timestamp, m.sourcePartition, m.sequence, v.slaSeconds];
  store.set(m.key, changeSla(parts, partition, m.key, store.get(m.key) ?? emptyQueue(), change), m.timestamp);
}

import type { ConsumedMessage, EventData } from '@switchboard/streams';
import { applyCallEvent, type CallEvent, type CallRecord, expandCall, toSignedFacts } from '../../../calls';
import type { RefusedSource } from '../../data-quality-dead-letter';
import type { DataQualityRow } from '../../data-quality-sql';
import { isoTime } from '../../metric-update-record';
import type { CallHops } from './call-hops';
import type { CallStageParts } from './call-stage-parts';
import { isInvalid, queueProperties, splitStreamId, toCallEvent } from './calls-input';
import { expireIfDue, settleCalls } from './settle-calls';

/**
 * One batch of a call-stage partition, in order: queue properties go to stage 2 (and the `queues` table), each
 * call event is folded into its call (`foldCallEvent`); stream ends change nothing (calls settle by time). Then the
 * sweep of what the batch sealed; the batch's hop records went through the boundary as they came, its time marker
 * goes last (one per batch).
 */
export function foldCallMessages(parts: CallStageParts, partition: number, messages: readonly ConsumedMessage[]) {
  if (!parts.clocks.get(partition) || !parts.calls.get(partition) || !parts.settledCalls.get(partition))
    throw new Error(`calls stage: partition ${partition} is not assigned`);
  const now = parts.settings.idles ? parts.settings.wall() : 0;
  const hops = parts.hops(partition);
  for (const m of messages) {
    if (m.message.kind === 'properties') readQueueProperties(parts, hops, m);
    else if (m.message.kind === 'event') for (const e of m.message.events) foldCallEvent(parts, hops, m, e, now);
  }
  settleCalls(parts, partition, hops);
  parts.boundary.announce();
}

/** Queue properties (metadata kind=queue): to the queue's stage-2 partition, stamped (CallHops.queue), and to Postgres. */
function readQueueProperties(parts: CallStageParts, hops: CallHops, m: ConsumedMessage): void {
  if (m.message.kind !== 'properties') return;
  const id = splitStreamId(m.streamId);
  const props = queueProperties(m.message.properties);
  if (!props || !id) return;
  hops.queue(id.tenant, id.entityId, props);
  parts.results.push({ queue: { tenant: id.tenant, queue: id.entityId, ...props } });
}

/**
 * One call event: unreadable → refused; else what the stream time before it sealed settles first (whatever the
 * batching), the call expires if its tenant's time before the event says so (the event then finds no record: an
 * orphan, or beyond the horizon), the event moves the partition's time, and it is folded in — refused whole when its
 * correction would touch a window beyond the restatement horizon. Its change goes to stage 2 at once, moving the
 * tenant's time (the boundary's clock of the tenant) for the events after it.
 */
function foldCallEvent(parts: CallStageParts, hops: CallHops, m: ConsumedMessage, e: EventData, now: number): void {
  const id = splitStreamId(m.streamId);
  const tenant = id?.tenant ?? '';
  const event = id ? toCallEvent(id.entityId, e) : { invalid: 'stream id is not <tenant>/<callId>' };
  if (isInvalid(event)) {
    refuseInvalid(parts, m, e, tenant, id?.entityId ?? m.streamId, event.invalid);
    return;
  }
  const p = hops.partition;
  const c = parts.clocks.get(p);
  if (!c) return;
  if (parts.clocks.sealedBefore(p) > c.settledBefore) settleCalls(parts, p, hops);
  const { record: before, settled } = currentCall(parts, hops, m.streamId, event.callId);
  parts.clocks.observe(c, event.ts, now);
  const update = applyCallEvent(before, event, { horizonBefore: parts.clocks.horizonBefore(p) });
  if (update.outcome === 'beyond_horizon') {
    refuseBeyondHorizon(parts, m, tenant, event, c.clock.time);
    return;
  }
  for (const item of update.dataQuality) parts.dq(tenant, item);
  if (update.record !== before) {
    // A late event changed a settled call: it is open again until it settles anew (and may report anew).
    if (settled) parts.settledCalls.get(p)?.delete(m.streamId);
    parts.calls.get(p)?.set(m.streamId, update.record, c.clock.time);
  }
  for (const s of toSignedFacts(update.change)) hops.fact(tenant, s);
  if (update.waiting) hops.waiting(tenant, update.waiting);
}

/**
 * The call as the event finds it: its compact form expanded when it had settled, else its open record — dropped
 * when it expired by its tenant's time before the event.
 */
function currentCall(
  parts: CallStageParts,
  hops: CallHops,
  key: string,
  callId: string,
): { record: CallRecord | undefined; settled: boolean } {
  const p = hops.partition;
  const settled = parts.settledCalls.get(p)?.get(key);
  const record = settled ? expandCall(callId, settled) : parts.calls.get(p)?.get(key);
  if (record && expireIfDue(parts, hops, key, record)) {
    parts.calls.get(p)?.delete(key);
    return { record: undefined, settled: settled !== undefined };
  }
  return { record, settled: settled !== undefined };
}

function sourceOf(parts: CallStageParts, m: ConsumedMessage): RefusedSource {
  return { topic: parts.settings.inputTopic, partition: m.partition, offset: m.offset, streamId: m.streamId };
}

function refuseInvalid(
  parts: CallStageParts,
  m: ConsumedMessage,
  e: EventData,
  tenant: string,
  entityId: string,
  reason: string,
): void {
  const row: DataQualityRow = {
    tenant,
    kind: 'invalid_call_event',
    entityType: 'call',
    entityId,
    eventTs: Number.isFinite(e.timestamp) ? e.timestamp : 0,
    detail: { reason, eventType: e.id },
  };
  parts.refusals.refuse(sourceOf(parts, m), row, 'invalid', reason);
}

function refuseBeyondHorizon(
  parts: CallStageParts,
  m: ConsumedMessage,
  tenant: string,
  event: CallEvent,
  streamTime: number,
): void {
  const { graceMs, restateForMs } = parts.settings;
  const row: DataQualityRow = {
    tenant,
    kind: 'call_event_beyond_horizon',
    entityType: 'call',
    entityId: event.callId,
    eventTs: event.ts,
    detail: { eventType: event.type, streamTime, graceMs, restateForMs },
  };
  const reason = `${event.type} would change a queue window beyond the restatement horizon (stream time ${isoTime(streamTime)}, grace ${graceMs} ms, restatement ${restateForMs} ms)`;
  parts.refusals.refuse(sourceOf(parts, m), row, 'late', reason);
}

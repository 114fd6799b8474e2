import { DEFAULT_MAX_FUTURE_MS, DEFAULT_MAX_PAST_MS, restatementHorizonMs, Topics } from '@switchboard/domain';
import {
  type CheckpointedState,
  type ConsumedMessage,
  keyedState,
  PartitionClock,
  PartitionedStores,
  RepartitionBoundary,
  type RepartitionMessage,
  repartitionOutbox,
  repartitionState,
  type StreamRecord,
  type Topology,
} from '@switchboard/streams';
import type { PoolClient } from 'pg';
import {
  applyCallEvent,
  type CallExpiry,
  type CallRecord,
  compactCall,
  type DataQualityItem,
  DEFAULT_MAX_CALL_AGE_MS,
  expandCall,
  expireCall,
  queueWindowStart,
  type SettledCall,
  settleCall,
  toSignedFacts,
  type WaitingCallChange,
} from '../../../calls';
import { Refusals, type RefusalType, type RefusedSource } from '../../data-quality-dead-letter';
import { type DataQualityRow, writeDataQuality } from '../../data-quality-sql';
import { isoTime } from '../../metric-update-record';
import { type CallsHopValue, queueKey, queuesOfWaitingChange, tenantOfQueueKey } from '../calls-hop';
import { isInvalid, queueProperties, splitStreamId, toCallEvent } from './calls-input';
import { type QueueRow, upsertQueues } from './calls-sql';

export interface CallsStageOptions {
  /** The input topic (default `events.calls`): refused events go to `<inputTopic>.dlq` with it as provenance. */
  inputTopic?: string;
  repartitionTopic: string;
  /** Partitions of the repartition topic (time markers go to each). */
  partitions: number;
  graceMs: number;
  idleMs: number;
  mode: 'live' | 'replay';
  /** A started call without an end this long after its start (stream time) is dropped; default 4 h (README). */
  maxCallAgeMs?: number;
  /**
   * How long (stream time) after its grace a final window still takes corrections (restatements): the horizon.
   * Settled calls are kept (compact) for as long, so a late event folds in as it would have in order. Default
   * `restatementHorizonMs` of ingest's default accepted past and future (≈ 7 days); the app passes its config's.
   */
  restateForMs?: number;
  clock?: () => number;
}

export type CallsStageResult = { readonly dq: DataQualityRow } | { readonly queue: QueueRow };

export interface CallsStage extends Topology<CallsStageResult> {
  /** Call events refused since start (`late` = beyond the restatement horizon: PRODUCT.md's late_events). */
  readonly refused: Readonly<Record<RefusalType, number>>;
}

interface ClockMeta {
  streamTime: number | null;
  settledBefore: number | null;
  /** Per tenant of the partition: the highest ts of its own events (the clock its calls expire by). */
  tenants?: Array<[tenant: string, time: number]>;
}

/** One tenant's time in a partition: its own highest event ts, and the wall time of its last event (idling). */
interface TenantClock {
  time: number;
  lastWall: number;
}

/**
 * Stage 1, per call (key = the call's stream `<tenant>/<callId>`): folds call events into `CallRecord`s and sends
 * their changes — signed facts and waiting-gauge changes — re-keyed by `<tenant>/<queue>` through the repartition
 * topic. Queue properties travel the same way, to the partition that owns the queue. Data-quality items
 * (conflicts, events beyond the horizon, unreadable events, orphans when they settle) are written here; the refused
 * events (beyond the horizon, unreadable) also go to `<inputTopic>.dlq` with the message they came from as
 * provenance.
 *
 * Time: the partition's stream time (a PartitionClock, idling in live mode) minus grace seals windows (calls
 * settle, orphans are reported); minus grace and `restateForMs` it is the restatement horizon. A late event
 * within the horizon is folded in as an in-order one would be, whatever window its correction touches (stage 2
 * restates final ones); only an event whose correction would touch a window beyond the horizon is refused whole
 * (`call_event_beyond_horizon`). Stage 2 forgets windows on the minimum of what the boundaries announced, which
 * never exceeds this partition's time, so every fact sent from here finds its window there (open or retained).
 * A settled call (ended, or an orphan whose windows sealed) moves from `calls` to `calls-settled` in compact form
 * (`compactCall`) and leaves it when its windows pass the horizon.
 * A started call still without an end when its tenant's time in the partition (`tenantTime`) reaches start +
 * `maxCallAgeMs` expires (`expireCall`):
 * checked before each event of the call is applied (so the outcome does not depend on batching) and swept once per
 * sealed window; it leaves the waiting gauge and becomes a `call_expired` row.
 */
export function callsStage(opts: CallsStageOptions): CallsStage {
  const wall = opts.clock ?? Date.now;
  const inputTopic = opts.inputTopic ?? Topics.calls;
  const maxCallAgeMs = opts.maxCallAgeMs ?? DEFAULT_MAX_CALL_AGE_MS;
  const restateForMs =
    opts.restateForMs ??
    restatementHorizonMs({ maxPastMs: DEFAULT_MAX_PAST_MS, maxFutureMs: DEFAULT_MAX_FUTURE_MS }, opts.graceMs);
  if (!(Number.isSafeInteger(restateForMs) && restateForMs >= 0))
    throw new Error(`calls stage: restateForMs must be a whole number of ms ≥ 0, got ${String(restateForMs)}`);
  /** Open calls: waiting, talking, or with a transition in a window not sealed yet (swept once per sealed window). */
  const calls = new PartitionedStores<CallRecord>();
  /**
   * Settled calls, compact, by `<S − grace>` at settling (KeyedStore keeps write order, so expiry stops at the first
   * one still needed): evicted once that is `restateForMs` behind, i.e. all their windows are beyond the horizon.
   */
  const settledCalls = new PartitionedStores<SettledCall>({ ttlMs: Math.max(restateForMs, 1) });
  const emitted: RepartitionMessage<CallsHopValue>[] = [];
  /** Hop values stamped with the partition's time (the tenant had none there yet): they move no tenant's time. */
  const byPartition = new WeakSet<CallsHopValue>();
  const boundary = new RepartitionBoundary<CallsHopValue>({
    keyBy: (_v, r) => r.key,
    // Each tenant's time goes to stage 2 beside the partition's, so stage 2 closes a tenant's windows on its own.
    timeGroup: (r) => (byPartition.has(r.value) ? undefined : tenantOfQueueKey(r.key)),
    sink: emitted,
    idleMs: opts.mode === 'live' ? opts.idleMs : undefined,
    mode: opts.mode,
    clock: wall,
  });
  const clocks = new Map<
    number,
    { clock: PartitionClock; settledBefore: number; dirty: boolean; tenants: Map<string, TenantClock> }
  >();
  const results: CallsStageResult[] = [];
  const refusals = new Refusals((dq) => results.push({ dq }));
  const idles = opts.mode === 'live' && opts.idleMs > 0;

  const clockState: CheckpointedState = {
    name: 'calls-clock',
    restore(p, state) {
      const meta = (state?.meta ?? null) as ClockMeta | null;
      const clock = new PartitionClock([p], wall());
      const t = meta?.streamTime ?? Number.NEGATIVE_INFINITY;
      clock.inputs[0].time = t;
      clock.time = t;
      clock.touchAll(wall());
      const restoredAt = wall();
      const tenants = new Map<string, TenantClock>(
        (meta?.tenants ?? []).map(([tenant, time]) => [tenant, { time, lastWall: restoredAt }]),
      );
      clocks.set(p, {
        clock,
        settledBefore: meta?.settledBefore ?? Number.NEGATIVE_INFINITY,
        dirty: false,
        tenants,
      });
    },
    changes(p) {
      const c = clocks.get(p);
      if (!c?.dirty) return undefined;
      const meta: ClockMeta = {
        streamTime: Number.isFinite(c.clock.time) ? c.clock.time : null,
        settledBefore: Number.isFinite(c.settledBefore) ? c.settledBefore : null,
        tenants: [...c.tenants].map(([tenant, t]) => [tenant, t.time]),
      };
      return { meta };
    },
    markCheckpointed(p) {
      const c = clocks.get(p);
      if (c) c.dirty = false;
    },
    revoke: (p) => void clocks.delete(p),
  };

  /** The partition's stream time, or −∞ before its first event. */
  function streamTime(p: number): number {
    const own = clocks.get(p)?.clock.time ?? Number.NEGATIVE_INFINITY;
    // The boundary idles on its own in live mode; what it announced may close stage-2 windows, so count it.
    const announced = boundary.snapshot(p).streamTime ?? Number.NEGATIVE_INFINITY;
    return Math.max(own, announced);
  }

  /**
   * The time a tenant's calls expire by: the highest ts of that tenant's own events in the partition — never another
   * tenant's, so a tenant forwarding hours of buffered calls behind another's live traffic has its calls counted, not
   * expired — following the wall clock in live mode once the tenant has been quiet for idleMs (so calls of a tenant
   * that stopped sending still expire). Replays never idle: the same calls expire whatever the batching.
   */
  function tenantTime(p: number, tenant: string, now: number): number {
    const t = clocks.get(p)?.tenants.get(tenant);
    if (t === undefined) return Number.NEGATIVE_INFINITY;
    if (idles) {
      const quiet = now - t.lastWall;
      if (quiet >= opts.idleMs) return t.time + quiet;
    }
    return t.time;
  }

  /**
   * The time a tenant's hop records that are not facts (waiting changes, queue properties) are stamped with: its own
   * highest event ts in the partition, or what the boundary already announced of it when that is more (idling, live
   * mode only); undefined before the tenant's first event here. Never another tenant's: a stamp moves the tenant's
   * time in stage 2. In a replay (no idling) it is the tenant's own time: a function of the partition's order.
   */
  function tenantStamp(p: number, tenant: string): number | undefined {
    const own = clocks.get(p)?.tenants.get(tenant)?.time ?? Number.NEGATIVE_INFINITY;
    const t = Math.max(own, boundary.groupTime(p, tenant));
    return Number.isFinite(t) ? t : undefined;
  }

  /** A tenant's stamp, else (no time of the tenant here yet) the partition's, marked as moving no tenant's time. */
  function stamp(p: number, tenant: string, value: CallsHopValue): number {
    const own = tenantStamp(p, tenant);
    if (own !== undefined) return own;
    byPartition.add(value);
    const t = streamTime(p);
    return Number.isFinite(t) ? t : 0;
  }

  /** Windows ending at or before this are final downstream (aligned, so `settleCall` sees whole windows). */
  function sealedBefore(p: number): number {
    const t = streamTime(p);
    return Number.isFinite(t) ? queueWindowStart(t - opts.graceMs) : Number.NEGATIVE_INFINITY;
  }

  /** Windows ending at or before this are beyond the restatement horizon (not aligned: stage 2 is not either). */
  function horizonBefore(p: number): number {
    const t = streamTime(p);
    return Number.isFinite(t) ? t - opts.graceMs - restateForMs : Number.NEGATIVE_INFINITY;
  }

  /** A waiting-gauge change, to each queue it names; timestamped with the tenant's time (it is not windowed). */
  function waitingHops(out: StreamRecord<CallsHopValue>[], p: number, tenant: string, change: WaitingCallChange) {
    for (const q of queuesOfWaitingChange(change)) {
      const value: CallsHopValue = { kind: 'waiting', change };
      out.push({ key: queueKey(tenant, q), value, timestamp: stamp(p, tenant, value), partition: p });
    }
  }

  /** The call is dropped by the caller; here: its `call_expired` row and its leaving the waiting gauge. */
  function expired(out: StreamRecord<CallsHopValue>[], p: number, key: string, expiry: CallExpiry): void {
    const tenant = splitStreamId(key)?.tenant ?? '';
    for (const item of expiry.dataQuality) dq(tenant, item);
    if (expiry.waiting) waitingHops(out, p, tenant, expiry.waiting);
  }

  function dq(tenant: string, item: DataQualityItem | Omit<DataQualityRow, 'tenant'>): void {
    results.push({ dq: { tenant, ...item } });
  }

  /**
   * Once per newly sealed window: settled calls move to the compact store (orphans and inconsistencies become
   * data-quality rows now, once per settling), expired calls are dropped (a `call_expired` row; their gauge changes go
   * through `out`), and settled calls whose windows all passed the horizon are forgotten. Run before the first event
   * judged at a newer sealed window, so what is reported does not depend on how events are batched.
   */
  function settle(p: number, out: StreamRecord<CallsHopValue>[]): void {
    const c = clocks.get(p);
    const store = calls.get(p);
    const compact = settledCalls.get(p);
    if (!c || !store || !compact) return;
    const sealed = sealedBefore(p);
    if (!(sealed > c.settledBefore)) return;
    c.settledBefore = sealed;
    c.dirty = true;
    const done: string[] = [];
    const now = streamTime(p);
    const wallNow = idles ? wall() : 0;
    for (const [key, record] of store.snapshot().entries) {
      const expiry = expireCall(record, tenantTime(p, splitStreamId(key)?.tenant ?? '', wallNow), maxCallAgeMs);
      if (expiry) {
        done.push(key);
        expired(out, p, key, expiry);
        continue;
      }
      const s = settleCall(record, sealed);
      if (!s.settled) continue;
      done.push(key);
      if (restateForMs > 0) compact.set(key, compactCall(record), now - opts.graceMs);
      const tenant = splitStreamId(key)?.tenant ?? '';
      for (const item of s.dataQuality) dq(tenant, item);
    }
    for (const key of done) store.delete(key);
    compact.expire(now - opts.graceMs);
  }

  return {
    states: [
      keyedState('calls', calls),
      keyedState('calls-settled', settledCalls),
      clockState,
      repartitionState('calls-by-queue', boundary),
    ],

    process(partition: number, messages: readonly ConsumedMessage[]) {
      const c = clocks.get(partition);
      const store = calls.get(partition);
      const compact = settledCalls.get(partition);
      if (!c || !store || !compact) throw new Error(`calls stage: partition ${partition} is not assigned`);
      const now = idles ? wall() : 0;
      const out: StreamRecord<CallsHopValue>[] = [];
      const hop = (key: string, value: CallsHopValue, timestamp: number, retract = false) =>
        out.push(retract ? { key, value, timestamp, partition, retract } : { key, value, timestamp, partition });

      for (const m of messages) {
        const id = splitStreamId(m.streamId);
        const source: RefusedSource = {
          topic: inputTopic,
          partition: m.partition,
          offset: m.offset,
          streamId: m.streamId,
        };
        if (m.message.kind === 'properties') {
          const props = queueProperties(m.message.properties);
          if (!props || !id) continue;
          // Stamped with how far the tenant is in this partition (what the boundary announced of it included): stage 2
          // applies the SLA to facts from that time on, and no window such a fact lands in has closed there yet (it
          // closes on the tenant's time, which the stamp bounds: queue-stage.ts). A tenant without events here yet:
          // the partition's time, as before per-tenant time, marked so it moves no tenant's time.
          const own = tenantStamp(partition, id.tenant);
          const t = own ?? streamTime(partition);
          const value: CallsHopValue =
            own === undefined ? { kind: 'queue', ...props, byPartition: true } : { kind: 'queue', ...props };
          if (own === undefined) byPartition.add(value);
          hop(queueKey(id.tenant, id.entityId), value, Number.isFinite(t) ? t : 0);
          results.push({ queue: { tenant: id.tenant, queue: id.entityId, ...props } });
          continue;
        }
        if (m.message.kind !== 'event') continue; // stream ends change nothing: calls settle by time
        for (const e of m.message.events) {
          const tenant = id?.tenant ?? '';
          const event = id ? toCallEvent(id.entityId, e) : { invalid: 'stream id is not <tenant>/<callId>' };
          if (isInvalid(event)) {
            const row: DataQualityRow = {
              tenant,
              kind: 'invalid_call_event',
              entityType: 'call',
              entityId: id?.entityId ?? m.streamId,
              eventTs: Number.isFinite(e.timestamp) ? e.timestamp : 0,
              detail: { reason: event.invalid, eventType: e.id },
            };
            refusals.refuse(source, row, 'invalid', event.invalid);
            continue;
          }
          // What the stream time before this event sealed settles first, whatever the batching (the record may move).
          if (sealedBefore(partition) > c.settledBefore) settle(partition, out);
          // Expired by the stream time before this event: the event finds no record (an orphan, or beyond the horizon).
          const settled = compact.get(m.streamId);
          let before = settled ? expandCall(event.callId, settled) : store.get(m.streamId);
          const expiry = before && expireCall(before, tenantTime(partition, tenant, now), maxCallAgeMs);
          if (expiry) {
            store.delete(m.streamId);
            expired(out, partition, m.streamId, expiry);
            before = undefined;
          }
          if (c.clock.observe(c.clock.inputs[0], event.ts, now)) c.dirty = true;
          const own = c.tenants.get(tenant);
          if (own === undefined) c.tenants.set(tenant, { time: event.ts, lastWall: now });
          else {
            if (event.ts > own.time) own.time = event.ts;
            own.lastWall = now;
          }
          c.dirty = true;
          const update = applyCallEvent(before, event, { horizonBefore: horizonBefore(partition) });
          if (update.outcome === 'beyond_horizon') {
            const row: DataQualityRow = {
              tenant,
              kind: 'call_event_beyond_horizon',
              entityType: 'call',
              entityId: event.callId,
              eventTs: event.ts,
              detail: { eventType: event.type, streamTime: c.clock.time, graceMs: opts.graceMs, restateForMs },
            };
            const reason = `${event.type} would change a queue window beyond the restatement horizon (stream time ${isoTime(c.clock.time)}, grace ${opts.graceMs} ms, restatement ${restateForMs} ms)`;
            refusals.refuse(source, row, 'late', reason);
            continue;
          }
          for (const item of update.dataQuality) dq(tenant, item);
          if (update.record !== before) {
            // A late event changed a settled call: it is open again until it settles anew (and may report anew).
            if (settled) compact.delete(m.streamId);
            store.set(m.streamId, update.record, c.clock.time);
          }
          for (const s of toSignedFacts(update.change))
            hop(queueKey(tenant, s.fact.queue), { kind: 'fact', fact: s.fact }, s.fact.ts, s.sign < 0);
          if (update.waiting) waitingHops(out, partition, tenant, update.waiting);
        }
      }
      settle(partition, out);
      boundary.process(out);
    },

    tick(now: number) {
      if (!idles) return;
      for (const [p, c] of clocks) {
        if (c.clock.idle(now, opts.idleMs)) {
          c.dirty = true;
          const out: StreamRecord<CallsHopValue>[] = [];
          settle(p, out);
          if (out.length > 0) boundary.process(out);
        }
      }
      boundary.tick(now);
    },

    drain: () => ({
      results: results.splice(0),
      outbox: [...repartitionOutbox(opts.repartitionTopic, opts.partitions, emitted.splice(0)), ...refusals.drain()],
    }),

    async writeResults(client: PoolClient, list: CallsStageResult[]) {
      const dqRows: DataQualityRow[] = [];
      const queues: QueueRow[] = [];
      for (const r of list) {
        if ('dq' in r) dqRows.push(r.dq);
        else queues.push(r.queue);
      }
      await writeDataQuality(client, dqRows);
      await upsertQueues(client, queues);
    },

    refused: refusals.counts,
  };
}

import { type CheckpointedState, PartitionClock, type RepartitionBoundary } from '@switchboard/streams';
import { queueWindowStart } from '../../../calls';
import type { CallsHopValue } from '../calls-hop';

/**
 * What `calls-clock` checkpoints per partition (meta row). Plain JSON. Checkpoints before the tenants' time was the
 * boundary's also hold `tenants` (each tenant's highest event ts): no longer read, the boundary's snapshot holds it.
 */
interface ClockMeta {
  streamTime: number | null;
  settledBefore: number | null;
}

/** One partition's time in the call stage. */
export interface CallPartitionTime {
  /** The partition's stream time: every event's ts, idling in live mode. */
  readonly clock: PartitionClock;
  /** Windows ending at or before this were swept (`settleCalls`): the sweep runs once per newly sealed window. */
  settledBefore: number;
  dirty: boolean;
}

export interface CallStageClockOptions {
  graceMs: number;
  restateForMs: number;
  wall: () => number;
}

/**
 * The call stage's time, per partition: the partition's stream time (sealing and the restatement horizon),
 * checkpointed as `calls-clock`, and each tenant's time (what its calls expire by, and what its hop records that are
 * not facts are stamped with).
 *
 * A tenant's time is kept in one place: the repartition boundary's clock of the tenant (the library's `timeGroup`,
 * checkpointed with the boundary), the highest timestamp of what the tenant sent on to stage 2 from this partition
 * (its facts and stamps), idling with the wall clock while the tenant is quiet (live mode, never past the partition's
 * time) — the very time the boundary announces to stage 2. The stage sends each record as it reads the event that
 * makes it (`CallHops`), so each event is judged on its tenant's time before it, whatever the batching. A replay
 * never idles: the tenant's time is then a function of the partition's order.
 */
export class CallStageClocks {
  private readonly parts = new Map<number, CallPartitionTime>();
  readonly state: CheckpointedState;

  constructor(
    private readonly boundary: RepartitionBoundary<CallsHopValue>,
    private readonly opts: CallStageClockOptions,
  ) {
    this.state = {
      name: 'calls-clock',
      restore: (p, stored) => this.restore(p, (stored?.meta ?? null) as ClockMeta | null),
      changes: (p) => this.changes(p),
      markCheckpointed: (p) => {
        const c = this.parts.get(p);
        if (c) c.dirty = false;
      },
      revoke: (p) => void this.parts.delete(p),
    };
  }

  get(p: number): CallPartitionTime | undefined {
    return this.parts.get(p);
  }

  entries(): IterableIterator<[number, CallPartitionTime]> {
    return this.parts.entries();
  }

  /** An event at `ts`, read at wall time `now`: moves the partition's time (its tenant's moves with what it sends). */
  observe(c: CallPartitionTime, ts: number, now: number): void {
    c.clock.observe(c.clock.inputs[0], ts, now);
    c.dirty = true;
  }

  /** The partition's stream time, or −∞ before its first event. */
  streamTime(p: number): number {
    const own = this.parts.get(p)?.clock.time ?? Number.NEGATIVE_INFINITY;
    // The boundary idles on its own in live mode; what it announced may close stage-2 windows, so count it.
    const announced = this.boundary.snapshot(p).streamTime ?? Number.NEGATIVE_INFINITY;
    return Math.max(own, announced);
  }

  /** The tenant's time in the partition (see the class comment); −∞ before the tenant sent anything from here. */
  tenantTime(p: number, tenant: string): number {
    return this.boundary.groupTime(p, tenant);
  }

  /** Windows ending at or before this are final downstream (aligned, so `settleCall` sees whole windows). */
  sealedBefore(p: number): number {
    const t = this.streamTime(p);
    return Number.isFinite(t) ? queueWindowStart(t - this.opts.graceMs) : Number.NEGATIVE_INFINITY;
  }

  /** Windows ending at or before this are beyond the restatement horizon (not aligned: stage 2 is not either). */
  horizonBefore(p: number): number {
    const t = this.streamTime(p);
    return Number.isFinite(t) ? t - this.opts.graceMs - this.opts.restateForMs : Number.NEGATIVE_INFINITY;
  }

  private restore(p: number, meta: ClockMeta | null): void {
    const { wall } = this.opts;
    const clock = new PartitionClock([p], wall());
    const t = meta?.streamTime ?? Number.NEGATIVE_INFINITY;
    clock.inputs[0].time = t;
    clock.time = t;
    clock.touchAll(wall());
    this.parts.set(p, {
      clock,
      settledBefore: meta?.settledBefore ?? Number.NEGATIVE_INFINITY,
      dirty: false,
    });
  }

  private changes(p: number): { meta: ClockMeta } | undefined {
    const c = this.parts.get(p);
    if (!c?.dirty) return undefined;
    return {
      meta: {
        streamTime: Number.isFinite(c.clock.time) ? c.clock.time : null,
        settledBefore: Number.isFinite(c.settledBefore) ? c.settledBefore : null,
      },
    };
  }
}

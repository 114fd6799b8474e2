import type { RepartitionBoundary, StreamRecord } from '@switchboard/streams';
import type { SignedCallFact, WaitingCallChange } from '../../../calls';
import { type CallsHopValue, queueKey, queuesOfWaitingChange, tenantOfQueueKey } from '../calls-hop';
import type { CallStageClocks } from './call-stage-clock';

/**
 * Hop values stamped with the partition's time (their tenant had no time there yet): they move no tenant's time.
 * The boundary's `timeGroup` reads it, so each tenant's time goes to stage 2 beside the partition's.
 */
export class ByPartitionStamps {
  private readonly values = new WeakSet<CallsHopValue>();

  add(value: CallsHopValue): void {
    this.values.add(value);
  }

  /** The boundary's `timeGroup`: the record's tenant, or none for a record stamped with the partition's time. */
  readonly timeGroup = (r: StreamRecord<CallsHopValue>): string | undefined =>
    this.values.has(r.value) ? undefined : tenantOfQueueKey(r.key);
}

/**
 * What a call-stage partition sends stage 2, re-keyed by `<tenant>/<queue>`, through the repartition boundary as it
 * is read (`emit`: the tenant's time there moves at once; the caller `announce`s once per batch): facts at their own
 * ts, and what is not windowed (waiting changes, queue properties) stamped with the tenant's time (`tenantTime`),
 * from which on stage 2 applies it. A tenant without time here yet gets the partition's, marked as moving no
 * tenant's.
 */
export class CallHops {
  constructor(
    readonly partition: number,
    private readonly boundary: RepartitionBoundary<CallsHopValue>,
    private readonly clocks: CallStageClocks,
    private readonly byPartition: ByPartitionStamps,
  ) {}

  /** A signed fact, retractions as retracting records. */
  fact(tenant: string, s: SignedCallFact): void {
    this.push(queueKey(tenant, s.fact.queue), { kind: 'fact', fact: s.fact }, s.fact.ts, s.sign < 0);
  }

  /** A waiting-gauge change, to each queue it names. */
  waiting(tenant: string, change: WaitingCallChange): void {
    for (const q of queuesOfWaitingChange(change)) {
      const value: CallsHopValue = { kind: 'waiting', change };
      this.push(queueKey(tenant, q), value, this.stamp(tenant, value));
    }
  }

  /**
   * A queue's properties. Stamped with how far the tenant is in this partition (what the boundary announced of it
   * included): stage 2 applies the SLA to facts from that time on, and no window such a fact lands in has closed
   * there yet (it closes on the tenant's time, which the stamp bounds: queue-stage/route-hop-messages.ts). A tenant without events here
   * yet: the partition's time, as before per-tenant time, marked (`byPartition`) so it moves no tenant's time.
   */
  queue(tenant: string, queue: string, props: { slaSeconds: number; name: string | null }): void {
    const own = this.tenantStamp(tenant);
    const value: CallsHopValue =
      own === undefined ? { kind: 'queue', ...props, byPartition: true } : { kind: 'queue', ...props };
    this.push(queueKey(tenant, queue), value, own ?? this.partitionStamp(value));
  }

  private push(key: string, value: CallsHopValue, timestamp: number, retract = false): void {
    const partition = this.partition;
    this.boundary.emit(retract ? { key, value, timestamp, partition, retract } : { key, value, timestamp, partition });
  }

  /** The tenant's time, else (no time of the tenant here yet) the partition's, marked as moving no tenant's time. */
  private stamp(tenant: string, value: CallsHopValue): number {
    return this.tenantStamp(tenant) ?? this.partitionStamp(value);
  }

  private tenantStamp(tenant: string): number | undefined {
    const t = this.clocks.tenantTime(this.partition, tenant);
    return Number.isFinite(t) ? t : undefined;
  }

  private partitionStamp(value: CallsHopValue): number {
    this.byPartition.add(value);
    const t = this.clocks.streamTime(this.partition);
    return Number.isFinite(t) ? t : 0;
  }
}

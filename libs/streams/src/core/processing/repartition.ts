import { StreamsConfigError } from '../errors';
import { PartitionNotAssignedError, SnapshotFormatError } from './errors';
import { clockOption, optionalPositiveMs, requireFunction, requireSink, timeMode } from './options';
import type { Clock, Sink, StreamRecord, TimeMode } from './record';
import { PartitionClock } from './stream-clock';

/**
 * What a repartition boundary emits, for the transport to write to the repartition topic:
 * - `record`: the re-keyed record. Produce it with `key` as the message key (so the new key decides the
 *   partition) and `sourcePartition` + `sequence` in headers; downstream drops sequences it has seen.
 * - `time`: the upstream partition's stream time. Broadcast it to EVERY partition of the repartition
 *   topic: the downstream operator runs on the minimum over its inputs and needs every input's time,
 *   including inputs that sent it no records.
 */
export type RepartitionMessage<V> =
  | {
      kind: 'record';
      key: string;
      value: V;
      timestamp: number;
      sourcePartition: number;
      sequence: number;
      retract?: boolean;
    }
  | { kind: 'time'; sourcePartition: number; streamTime: number };

export interface RepartitionOptions<V> {
  /** The new key of each record (e.g. a call's queue). */
  keyBy: (value: V, record: StreamRecord<V>) => string;
  sink: Sink<RepartitionMessage<V>>;
  /** A partition quiet this long advances with the wall clock (live mode), and its time marker with it. */
  idleMs?: number;
  /**
   * While a partition idles, its time marker goes out once its time moved this much past the last one (default
   * 1000 ms): downstream windows close at most this much later, and an idle pipeline writes a marker a second
   * per partition instead of one per tick. Records' times are announced at once, whatever this says.
   */
  idleAnnounceMs?: number;
  mode?: TimeMode;
  clock?: Clock;
}

export const REPARTITION_SNAPSHOT_FORMAT = 'switchboard.repartition/1';

/** Per source partition: the next sequence number and the stream time last announced. Plain JSON. */
export interface RepartitionSnapshot {
  format: typeof REPARTITION_SNAPSHOT_FORMAT;
  partition: number;
  /** Highest sequence number emitted so far (-1 before any). */
  sequence: number;
  streamTime: number | null;
  announcedTime: number | null;
}

class SourceState {
  sequence = -1;
  announced = Number.NEGATIVE_INFINITY;
  touched = false;
  constructor(
    readonly partition: number,
    readonly clock: PartitionClock,
  ) {}
}

/**
 * `groupBy`: the operator boundary where records change key. Emits each re-keyed record with its source
 * partition and a per-source sequence number, then, once per batch (and per `tick` when idling moved
 * time), the source partition's stream time. Its state (sequence, time) belongs in the same checkpoint
 * as the emitted messages, so a replay after a crash emits the same sequence numbers.
 */
export class RepartitionBoundary<V> {
  private readonly keyBy: RepartitionOptions<V>['keyBy'];
  private readonly sink: Sink<RepartitionMessage<V>>;
  private readonly idleMs?: number;
  private readonly idleAnnounceMs: number;
  private readonly clock: Clock;
  private mode: TimeMode;
  private readonly sources = new Map<number, SourceState>();
  private readonly touched: SourceState[] = [];

  constructor(options: RepartitionOptions<V>) {
    if (options === null || typeof options !== 'object') {
      throw new StreamsConfigError('RepartitionBoundary needs options: { keyBy, sink, … }');
    }
    this.keyBy = requireFunction('keyBy', options.keyBy, '(value, record) => the new key');
    requireSink('sink', options.sink);
    this.sink = options.sink;
    this.idleMs = optionalPositiveMs('idleMs', options.idleMs);
    this.idleAnnounceMs = optionalPositiveMs('idleAnnounceMs', options.idleAnnounceMs) ?? 1000;
    this.mode = timeMode(options.mode);
    this.clock = clockOption(options.clock);
  }

  assign(partition: number): void {
    this.restore(partition, undefined);
  }

  restore(partition: number, snapshot: RepartitionSnapshot | undefined): void {
    const st = new SourceState(partition, new PartitionClock([partition], this.clock()));
    if (snapshot !== undefined) {
      if (snapshot?.format !== REPARTITION_SNAPSHOT_FORMAT || snapshot.partition !== partition) {
        throw new SnapshotFormatError(
          `not a ${REPARTITION_SNAPSHOT_FORMAT} snapshot of partition ${partition}; pass what snapshot(${partition}) returned`,
          { context: { partition } },
        );
      }
      st.sequence = snapshot.sequence;
      const t = snapshot.streamTime ?? Number.NEGATIVE_INFINITY;
      st.clock.inputs[0].time = t;
      st.clock.time = t;
      st.clock.touchAll(this.clock());
      st.announced = snapshot.announcedTime ?? Number.NEGATIVE_INFINITY;
    }
    this.sources.set(partition, st);
  }

  revoke(partition: number): void {
    this.sources.delete(partition);
  }

  setMode(mode: TimeMode): void {
    this.mode = timeMode(mode);
    if (this.mode === 'live') for (const st of this.sources.values()) st.clock.touchAll(this.clock());
  }

  process(records: readonly StreamRecord<V>[]): void {
    for (let i = 0; i < records.length; i++) this.state(records[i].partition);
    const now = this.mode === 'live' && this.idleMs !== undefined ? this.clock() : 0;
    let st: SourceState | undefined;
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      if (st === undefined || st.partition !== r.partition) {
        st = this.state(r.partition);
        if (!st.touched) {
          st.touched = true;
          this.touched.push(st);
        }
      }
      st.clock.observe(st.clock.inputs[0], r.timestamp, now);
      st.sequence++;
      this.sink.push({
        kind: 'record',
        key: this.keyBy(r.value, r),
        value: r.value,
        timestamp: r.timestamp,
        sourcePartition: r.partition,
        sequence: st.sequence,
        retract: r.retract,
      });
    }
    for (const s of this.touched) {
      s.touched = false;
      this.announce(s);
    }
    this.touched.length = 0;
  }

  /** Idle partitions advance with the wall clock (live mode) and announce their new time, every `idleAnnounceMs`. */
  tick(now: number = this.clock()): void {
    if (this.mode !== 'live' || this.idleMs === undefined) return;
    for (const st of this.sources.values())
      if (st.clock.idle(now, this.idleMs, true) && st.clock.time - st.announced >= this.idleAnnounceMs)
        this.announce(st);
  }

  snapshot(partition: number): RepartitionSnapshot {
    const st = this.state(partition);
    return {
      format: REPARTITION_SNAPSHOT_FORMAT,
      partition,
      sequence: st.sequence,
      streamTime: Number.isFinite(st.clock.time) ? st.clock.time : null,
      announcedTime: Number.isFinite(st.announced) ? st.announced : null,
    };
  }

  private announce(st: SourceState): void {
    if (st.clock.time > st.announced) {
      st.announced = st.clock.time;
      this.sink.push({ kind: 'time', sourcePartition: st.partition, streamTime: st.clock.time });
    }
  }

  private state(partition: number): SourceState {
    const st = this.sources.get(partition);
    if (st === undefined) {
      throw new PartitionNotAssignedError(
        `partition ${partition} is not assigned to this boundary; call assign(${partition}) or restore(${partition}, snapshot) first`,
        { context: { partition } },
      );
    }
    return st;
  }
}

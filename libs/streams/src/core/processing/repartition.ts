import { StreamsConfigError, StreamsValidationError } from '../errors';
import { PartitionNotAssignedError, SnapshotFormatError } from './errors';
import { clockOption, optionalFunction, optionalPositiveMs, requireFunction, requireSink, timeMode } from './options';
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
  | { kind: 'time'; sourcePartition: number; streamTime: number; groups?: GroupTime[] };

/**
 * A time group's time in one upstream partition (`timeGroup`): `[group, time]`, the highest timestamp of the
 * group's records there (or where idling took it, never past the partition's time). The group's first
 * announcement adds where it started: `[group, time, first, firstAt]` — its first record's timestamp and the
 * partition's stream time when that record came (see WindowedAggregation's `closeBy` with `inputs`).
 */
export type GroupTime = [group: string, time: number] | [group: string, time: number, first: number, firstAt: number];

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
  /**
   * Time groups (e.g. `(r) => tenantOf(r.key)`): besides the partition's time, each time message carries the
   * time of every group that moved since the last one (the highest timestamp of the group's own records in this
   * partition; idling with the wall clock like the partition, capped at the partition's time), so a downstream
   * `WindowedAggregation` with `closeBy` and `inputs` closes a group's windows on its own time. Must give the
   * group `closeBy` gives the record's new key. `undefined` for a record that moves no group's time (e.g. one
   * stamped with the partition's time). Omit for partition time only (the messages are as before).
   */
  timeGroup?: (record: StreamRecord<V>) => string | undefined;
}

export const REPARTITION_SNAPSHOT_FORMAT = 'switchboard.repartition/2';
/** Before time groups; `restore` still reads it (no group times: they start again from the next records). */
export const REPARTITION_SNAPSHOT_FORMAT_V1 = 'switchboard.repartition/1';

/** Per source partition: the next sequence number and the stream time last announced. Plain JSON. */
export interface RepartitionSnapshot {
  format: typeof REPARTITION_SNAPSHOT_FORMAT | typeof REPARTITION_SNAPSHOT_FORMAT_V1;
  partition: number;
  /** Highest sequence number emitted so far (-1 before any). */
  sequence: number;
  streamTime: number | null;
  announcedTime: number | null;
  /** With `timeGroup` (absent in `/1`): `[group, time, announced time or null, first, firstAt]` per group. */
  groups?: Array<[group: string, time: number, announced: number | null, first: number, firstAt: number]>;
}

/** One time group in one source partition. */
class GroupClock {
  /** Time at the last record, where idling starts from. */
  anchor: number;
  announced = Number.NEGATIVE_INFINITY;
  /** Queued for the next time message. */
  moved = false;
  constructor(
    readonly id: string,
    public time: number,
    public lastActivity: number,
    readonly first: number,
    readonly firstAt: number,
  ) {
    this.anchor = time;
  }
}

class SourceState {
  sequence = -1;
  announced = Number.NEGATIVE_INFINITY;
  touched = false;
  /** With `timeGroup`: each group's clock, and the ones that moved since the last time message. */
  readonly groups = new Map<string, GroupClock>();
  readonly moved: GroupClock[] = [];
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
  private readonly timeGroup?: (record: StreamRecord<V>) => string | undefined;

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
    this.timeGroup = optionalFunction('timeGroup', options.timeGroup, '(record) => its time group, e.g. the tenant');
  }

  assign(partition: number): void {
    this.restore(partition, undefined);
  }

  restore(partition: number, snapshot: RepartitionSnapshot | undefined): void {
    const st = new SourceState(partition, new PartitionClock([partition], this.clock()));
    if (snapshot !== undefined) {
      const format = snapshot?.format;
      if (
        (format !== REPARTITION_SNAPSHOT_FORMAT && format !== REPARTITION_SNAPSHOT_FORMAT_V1) ||
        snapshot.partition !== partition
      ) {
        throw new SnapshotFormatError(
          `not a ${REPARTITION_SNAPSHOT_FORMAT} (or ${REPARTITION_SNAPSHOT_FORMAT_V1}) snapshot of partition ${partition}; pass what snapshot(${partition}) returned`,
          { context: { partition } },
        );
      }
      st.sequence = snapshot.sequence;
      const t = snapshot.streamTime ?? Number.NEGATIVE_INFINITY;
      st.clock.inputs[0].time = t;
      st.clock.time = t;
      st.clock.touchAll(this.clock());
      st.announced = snapshot.announcedTime ?? Number.NEGATIVE_INFINITY;
      const now = this.clock();
      for (const [id, time, announced, first, firstAt] of snapshot.groups ?? []) {
        const g = new GroupClock(id, time, now, first, firstAt);
        g.announced = announced ?? Number.NEGATIVE_INFINITY;
        if (g.time > g.announced) {
          g.moved = true;
          st.moved.push(g);
        }
        st.groups.set(id, g);
      }
    }
    this.sources.set(partition, st);
  }

  revoke(partition: number): void {
    this.sources.delete(partition);
  }

  setMode(mode: TimeMode): void {
    this.mode = timeMode(mode);
    if (this.mode === 'live') {
      const now = this.clock();
      for (const st of this.sources.values()) {
        st.clock.touchAll(now);
        for (const g of st.groups.values()) {
          g.lastActivity = now;
          g.anchor = g.time;
        }
      }
    }
  }

  /** Emits the records, then each touched source partition's time marker: `emit` of each record, then `announce`. */
  process(records: readonly StreamRecord<V>[]): void {
    for (let i = 0; i < records.length; i++) this.state(records[i].partition);
    const now = this.activityNow();
    for (let i = 0; i < records.length; i++) this.emitAt(records[i], now);
    this.announce();
  }

  /**
   * Emits one record at once (its sequence number; its partition's and its group's time move with it) and leaves
   * the time marker to `announce`: an operator that sends a batch's records as it reads them reads `groupTime`
   * between them and still sends one marker per batch. `emit` of a batch's records, then `announce()`, emits
   * exactly what `process` of the batch does.
   */
  emit(record: StreamRecord<V>): void {
    this.state(record.partition);
    this.emitAt(record, this.activityNow());
  }

  /** The time marker of every source partition that emitted since the last one (when its time or a group moved). */
  announce(): void {
    for (const s of this.touched) {
      s.touched = false;
      this.announceSource(s);
    }
    this.touched.length = 0;
  }

  /** The wall time records count as activity at (idling), read once per call. */
  private activityNow(): number {
    return this.mode === 'live' && this.idleMs !== undefined ? this.clock() : 0;
  }

  private emitAt(r: StreamRecord<V>, now: number): void {
    const st = this.state(r.partition);
    if (!st.touched) {
      st.touched = true;
      this.touched.push(st);
    }
    st.clock.observe(st.clock.inputs[0], r.timestamp, now);
    if (this.timeGroup !== undefined) this.observeGroup(st, r, now);
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

  /** Idle partitions advance with the wall clock (live mode) and announce their new time, every `idleAnnounceMs`. */
  tick(now: number = this.clock()): void {
    if (this.mode !== 'live' || this.idleMs === undefined) return;
    for (const st of this.sources.values()) {
      let due = st.clock.idle(now, this.idleMs, true) && st.clock.time - st.announced >= this.idleAnnounceMs;
      if (st.groups.size > 0) due = this.idleGroups(st, now) || due;
      if (due) this.announceSource(st);
    }
  }

  snapshot(partition: number): RepartitionSnapshot {
    const st = this.state(partition);
    return {
      format: REPARTITION_SNAPSHOT_FORMAT,
      partition,
      sequence: st.sequence,
      streamTime: Number.isFinite(st.clock.time) ? st.clock.time : null,
      announcedTime: Number.isFinite(st.announced) ? st.announced : null,
      ...(this.timeGroup === undefined
        ? {}
        : {
            groups: [...st.groups.values()].map((g) => [
              g.id,
              g.time,
              Number.isFinite(g.announced) ? g.announced : null,
              g.first,
              g.firstAt,
            ]),
          }),
    };
  }

  /** The time `group` reached in `partition` (what its next marker announces at least); −∞ before its first record. */
  groupTime(partition: number, group: string): number {
    return this.state(partition).groups.get(group)?.time ?? Number.NEGATIVE_INFINITY;
  }

  /** A record of `st`: its group's time (a new group starts at it, remembering where the partition was). */
  private observeGroup(st: SourceState, r: StreamRecord<V>, now: number): void {
    const id = (this.timeGroup as (record: StreamRecord<V>) => string | undefined)(r);
    if (id === undefined) return;
    if (typeof id !== 'string') {
      throw new StreamsValidationError(
        `timeGroup(record) must return a string or undefined; got ${typeof id} for key "${r.key}"`,
        {
          context: { partition: r.partition, key: r.key },
        },
      );
    }
    let g = st.groups.get(id);
    if (g === undefined) {
      g = new GroupClock(id, r.timestamp, now, r.timestamp, st.clock.time);
      st.groups.set(id, g);
    } else {
      g.lastActivity = now;
      if (r.timestamp > g.time) g.time = r.timestamp;
      g.anchor = g.time;
    }
    if (!g.moved && g.time > g.announced) {
      g.moved = true;
      st.moved.push(g);
    }
  }

  /**
   * Quiet groups follow the wall clock (capped at the partition's time); true when one moved `idleAnnounceMs` past
   * its last announcement (the message then carries every group that moved at all, so they stay in step).
   */
  private idleGroups(st: SourceState, now: number): boolean {
    const idleMs = this.idleMs as number;
    const cap = st.clock.time;
    let due = false;
    for (const g of st.groups.values()) {
      const quiet = now - g.lastActivity;
      if (quiet < idleMs) continue;
      const t = Math.min(g.anchor + quiet, cap);
      if (t <= g.time) continue;
      g.time = t;
      if (!g.moved) {
        g.moved = true;
        st.moved.push(g);
      }
      if (t - g.announced >= this.idleAnnounceMs) due = true;
    }
    return due;
  }

  private announceSource(st: SourceState): void {
    const moved = st.moved;
    if (st.clock.time <= st.announced && moved.length === 0) return;
    if (st.clock.time > st.announced) st.announced = st.clock.time;
    if (this.timeGroup === undefined) {
      this.sink.push({ kind: 'time', sourcePartition: st.partition, streamTime: st.clock.time });
      return;
    }
    const groups: GroupTime[] = [];
    for (const g of moved) {
      g.moved = false;
      groups.push(
        Number.isFinite(g.announced)
          ? [g.id, g.time]
          : [g.id, g.time, g.first, Number.isFinite(g.firstAt) ? g.firstAt : g.first],
      );
      g.announced = g.time;
    }
    moved.length = 0;
    this.sink.push({ kind: 'time', sourcePartition: st.partition, streamTime: st.announced, groups });
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

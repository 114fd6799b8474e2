import { StreamsConfigError, StreamsValidationError } from '../errors';
import { estimateBytes } from '../state/size-estimate';
import {
  applyWindowChanges,
  WINDOW_SNAPSHOT_FORMAT,
  type WindowCell,
  type WindowChanges,
  type WindowSnapshot,
  WindowStore,
  windowCellBytes,
} from '../state/window-store';
import { type Aggregator, validateAggregator } from './aggregators';
import { PartitionNotAssignedError, SnapshotFormatError, UnsupportedOperationError } from './errors';
import {
  clockOption,
  optionalFunction,
  optionalPositiveInteger,
  optionalPositiveMs,
  optionalSink,
  requireNonNegativeMs,
  requireSink,
  timeMode,
} from './options';
import type { Clock, LateRecord, Sink, StreamRecord, TimeMode, WindowRow } from './record';
import type { RepartitionMessage } from './repartition';
import { type InputTime, PartitionClock } from './stream-clock';
import { earliestWindowStart, latestWindowStart, validateWindow, type WindowDefinition } from './windows';

export type EmitMode = 'current' | 'final';

export interface WindowedAggregationOptions<V, A, R> {
  /** `tumbling(sizeMs)` or `hopping(sizeMs, stepMs)`. */
  window: WindowDefinition;
  aggregator: Aggregator<V, A, R>;
  /** How long (ms of stream time) after its end a window still accepts records. Default 0. */
  grace?: number;
  /** `current`: a row at every change (once per window per `process` call) and a final one; `final`: only the final one. Default `current`. */
  emit?: EmitMode;
  /** Receives result rows. */
  sink: Sink<WindowRow<R>>;
  /** Receives records that arrived after their window closed. */
  lateSink?: Sink<LateRecord<V>>;
  onLate?: (late: LateRecord<V>) => void;
  /** A partition (input) quiet this long advances with the wall clock (live mode). Omit to never idle. */
  idleMs?: number;
  /** Default `live`. `replay` never idles, so a replay gives exactly the same rows. */
  mode?: TimeMode;
  /** Wall clock, epoch ms. Default `Date.now`. */
  clock?: Clock;
  /**
   * After a repartition hop: the number of upstream partitions. Records must then carry `source` (and
   * `sequence` to drop repeats); stream time is the minimum over the sources. Omit for a partition that
   * is its own single input.
   */
  inputs?: number;
  /** Soft bound on the estimated state size; `overLimit` turns true above it (pause fetching). */
  maxStateBytes?: number;
  /** Estimated heap bytes of one accumulator; measured from `aggregator.initial()` when omitted. */
  accumulatorBytes?: number;
}

export interface PartitionStats {
  partition: number;
  /** The operator's stream time (min over inputs); null before any. */
  streamTime: number | null;
  keys: number;
  openWindows: number;
  stateBytes: number;
  dirtyKeys: number;
  late: number;
  duplicates: number;
}

class PartitionState<A> {
  late = 0;
  duplicates = 0;
  /** Cells changed in this batch, for `current` emission. */
  readonly pending: WindowCell<A>[] = [];
  touched = false;

  constructor(
    readonly partition: number,
    readonly clock: PartitionClock,
    readonly store: WindowStore<A>,
  ) {}
}

/**
 * Keyed event-time windows with a mergeable aggregator, per partition.
 *
 * Driven by plain calls: `process(batch)` as records arrive, `tick(now)` from the consumer loop,
 * `closeKey` on stream end, and `snapshot`/`changes`/`markCheckpointed`/`restore`/`revoke` from the
 * checkpoint. A window `[s, e)` closes when the partition's stream time ≥ e + grace; closed windows are
 * emitted `final` once and freed. A record is judged against the stream time at its arrival, so the
 * rows do not depend on how records are batched.
 */
export class WindowedAggregation<V, A = unknown, R = A> {
  private readonly window: WindowDefinition;
  private readonly agg: Aggregator<V, A, R>;
  private readonly grace: number;
  private readonly emitCurrent: boolean;
  private readonly sink: Sink<WindowRow<R>>;
  private readonly lateSink?: Sink<LateRecord<V>>;
  private readonly onLate?: (late: LateRecord<V>) => void;
  private readonly idleMs?: number;
  private readonly clock: Clock;
  private readonly inputs?: number;
  private readonly maxStateBytes?: number;
  private readonly cellBytes: number;
  private mode: TimeMode;
  private readonly partitions = new Map<number, PartitionState<A>>();
  private readonly touched: PartitionState<A>[] = [];
  private readonly closing: WindowCell<A>[] = [];

  constructor(options: WindowedAggregationOptions<V, A, R>) {
    if (options === null || typeof options !== 'object') {
      throw new StreamsConfigError('WindowedAggregation needs options: { window, aggregator, sink, … }');
    }
    this.window = validateWindow(options.window);
    validateAggregator(options.aggregator);
    this.agg = options.aggregator;
    this.grace = requireNonNegativeMs('grace', options.grace ?? 0);
    const emit = options.emit ?? 'current';
    if (emit !== 'current' && emit !== 'final') {
      throw new StreamsConfigError(
        `emit must be 'current' (a row at every change) or 'final' (once, on close); got ${String(emit)}`,
        { context: { option: 'emit', value: emit } },
      );
    }
    this.emitCurrent = emit === 'current';
    requireSink('sink', options.sink);
    this.sink = options.sink;
    optionalSink('lateSink', options.lateSink);
    this.lateSink = options.lateSink;
    this.onLate = optionalFunction('onLate', options.onLate, '(late: LateRecord) => void');
    this.idleMs = optionalPositiveMs('idleMs', options.idleMs);
    this.mode = timeMode(options.mode);
    this.clock = clockOption(options.clock);
    this.inputs = optionalPositiveInteger('inputs', options.inputs, "the upstream topic's partition count");
    this.maxStateBytes = optionalPositiveInteger('maxStateBytes', options.maxStateBytes, 'bytes of estimated state');
    const accBytes =
      options.accumulatorBytes === undefined
        ? estimateBytes(this.agg.initial())
        : requireNonNegativeMs('accumulatorBytes', options.accumulatorBytes);
    this.cellBytes = windowCellBytes(accBytes);
  }

  // ── partitions ───────────────────────────────────────────────────────────────────────────────────

  /** Starts `partition` with empty state (a partition seen for the first time). */
  assign(partition: number): void {
    this.restore(partition, undefined);
  }

  /** Starts `partition` from a snapshot (or empty when undefined), replacing what was there. */
  restore(partition: number, snapshot: WindowSnapshot<A> | undefined): void {
    requirePartitionNumber(partition);
    const sources = this.inputs === undefined ? [partition] : Array.from({ length: this.inputs }, (_, i) => i);
    const clock = new PartitionClock(sources, this.clock());
    const store = new WindowStore<A>(this.cellBytes, this.window.sizeMs);
    const ps = new PartitionState<A>(partition, clock, store);
    if (snapshot !== undefined) {
      if (snapshot === null || typeof snapshot !== 'object' || snapshot.format !== WINDOW_SNAPSHOT_FORMAT) {
        throw new SnapshotFormatError(
          `snapshot for partition ${partition} is not a ${WINDOW_SNAPSHOT_FORMAT} snapshot; pass what snapshot() returned, or undefined to start empty`,
          { context: { partition, format: (snapshot as { format?: unknown } | null)?.format } },
        );
      }
      if (snapshot.partition !== partition) {
        throw new SnapshotFormatError(
          `snapshot belongs to partition ${snapshot.partition}, not ${partition}; load each partition's own snapshot`,
          { context: { partition, snapshotPartition: snapshot.partition } },
        );
      }
      for (const [source, time, sequence] of snapshot.inputs) {
        const input = clock.inputs.find((i) => i.source === source);
        if (input === undefined) {
          throw new SnapshotFormatError(
            `snapshot has input ${source}, which this operator does not read (inputs: ${sources.length}); keep the inputs option as it was when the snapshot was taken`,
            { context: { partition, source } },
          );
        }
        input.time = time ?? Number.NEGATIVE_INFINITY;
        input.sequence = sequence;
      }
      clock.touchAll(this.clock());
      let m = Number.POSITIVE_INFINITY;
      for (const input of clock.inputs) m = Math.min(m, input.time);
      clock.time = m;
      ps.late = snapshot.late;
      ps.duplicates = snapshot.duplicates;
      store.load(snapshot.keys, snapshot.closedKeys);
    }
    this.partitions.set(partition, ps);
  }

  /** Drops a revoked partition's state (checkpoint it first). */
  revoke(partition: number): void {
    this.partitions.delete(partition);
  }

  assigned(): number[] {
    return [...this.partitions.keys()];
  }

  /** Switch between `live` (idle inputs follow the wall clock) and `replay` (they never do). */
  setMode(mode: TimeMode): void {
    this.mode = timeMode(mode);
    if (this.mode === 'live') {
      const now = this.clock();
      for (const ps of this.partitions.values()) ps.clock.touchAll(now);
    }
  }

  // ── input ────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Processes a batch, in order. Validates the whole batch first, so a bad record throws before any
   * state changes. Rows go to the sink before this returns.
   */
  process(records: readonly StreamRecord<V>[]): void {
    this.validate(records);
    const now = this.mode === 'live' && this.idleMs !== undefined ? this.clock() : 0;
    let ps: PartitionState<A> | undefined;
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      if (ps === undefined || ps.partition !== r.partition) ps = this.touch(r.partition);
      let input: InputTime;
      if (this.inputs === undefined) {
        input = ps.clock.inputs[0];
      } else {
        input = ps.clock.inputs[r.source as number];
        const seq = r.sequence;
        if (seq !== undefined) {
          if (seq <= input.sequence) {
            ps.duplicates++;
            continue;
          }
          input.sequence = seq;
        }
      }
      ps.clock.observe(input, r.timestamp, now);
      this.apply(ps, r);
    }
    this.finish();
  }

  /**
   * Processes what a repartition boundary emitted for this partition, in order: records and upstream
   * stream-time markers. (The transport decodes the repartition topic into these messages.)
   */
  processMessages(partition: number, messages: readonly RepartitionMessage<V>[]): void {
    if (this.inputs === undefined) {
      throw new StreamsConfigError(
        'processMessages reads a repartition topic: construct the operator with inputs = the upstream partition count',
      );
    }
    let batch: StreamRecord<V>[] = [];
    for (const m of messages) {
      if (m.kind === 'record') {
        batch.push({
          key: m.key,
          value: m.value,
          timestamp: m.timestamp,
          partition,
          source: m.sourcePartition,
          sequence: m.sequence,
          retract: m.retract,
        });
      } else {
        if (batch.length > 0) this.process(batch);
        batch = [];
        this.advanceTime(partition, m.sourcePartition, m.streamTime);
      }
    }
    if (batch.length > 0) this.process(batch);
  }

  /** An upstream time marker: `source` has reached `streamTime` (after a repartition hop). */
  advanceTime(partition: number, source: number, streamTime: number): void {
    const ps = this.partitionState(partition);
    const input = this.inputOf(ps, source);
    const now = this.mode === 'live' && this.idleMs !== undefined ? this.clock() : 0;
    if (ps.clock.observe(input, streamTime, now)) {
      this.touch(partition);
      this.finish();
    }
  }

  /**
   * Lets time pass: in live mode with `idleMs`, inputs quiet for `idleMs` advance with the wall clock and
   * windows that are due close. Call it from the consumer loop (e.g. every 100 ms–1 s). Returns the number
   * of rows emitted.
   */
  tick(now: number = this.clock()): number {
    if (this.mode !== 'live' || this.idleMs === undefined) return 0;
    let rows = 0;
    for (const ps of this.partitions.values()) {
      if (ps.clock.idle(now, this.idleMs)) rows += this.closeDue(ps);
    }
    return rows;
  }

  /** Stream end of `key`: finalises its open windows now and frees its state. Returns the rows emitted. */
  closeKey(partition: number, key: string): number {
    const ps = this.partitionState(partition);
    const cells = ps.store.removeKey(key, this.closing);
    const n = cells.length;
    for (let i = 0; i < n; i++) this.emitFinal(ps, cells[i]);
    cells.length = 0;
    return n;
  }

  // ── checkpoint ───────────────────────────────────────────────────────────────────────────────────

  /** The partition's whole state as plain JSON data. */
  snapshot(partition: number): WindowSnapshot<A> {
    const ps = this.partitionState(partition);
    return { format: WINDOW_SNAPSHOT_FORMAT, ...this.meta(ps), keys: ps.store.entries() };
  }

  /** What changed since the last `markCheckpointed(partition)` (keys touched, plus the small fields). */
  changes(partition: number): WindowChanges<A> {
    const ps = this.partitionState(partition);
    const { upserts, deletes } = ps.store.changes();
    return { format: WINDOW_SNAPSHOT_FORMAT, ...this.meta(ps), upserts, deletes };
  }

  /** Call after the checkpoint transaction that wrote `changes(partition)` committed. */
  markCheckpointed(partition: number): void {
    this.partitionState(partition).store.markClean();
  }

  /** Folds `changes` into a snapshot: how a checkpoint table of per-key rows becomes a `restore` argument. */
  static applyChanges<A>(base: WindowSnapshot<A> | undefined, changes: WindowChanges<A>): WindowSnapshot<A> {
    return applyWindowChanges(base, changes);
  }

  // ── observation ──────────────────────────────────────────────────────────────────────────────────

  stats(partition: number): PartitionStats {
    const ps = this.partitionState(partition);
    return {
      partition,
      streamTime: Number.isFinite(ps.clock.time) ? ps.clock.time : null,
      keys: ps.store.keyCount,
      openWindows: ps.store.windowCount,
      stateBytes: ps.store.bytes,
      dirtyKeys: ps.store.dirtyCount,
      late: ps.late,
      duplicates: ps.duplicates,
    };
  }

  /** Estimated heap bytes of all partitions' state. */
  get stateBytes(): number {
    let n = 0;
    for (const ps of this.partitions.values()) n += ps.store.bytes;
    return n;
  }

  /** True while the state is above `maxStateBytes`: pause fetching until windows close. */
  get overLimit(): boolean {
    return this.maxStateBytes !== undefined && this.stateBytes > this.maxStateBytes;
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────────────

  private apply(ps: PartitionState<A>, r: StreamRecord<V>): void {
    const { sizeMs, stepMs } = this.window;
    const time = ps.clock.time;
    const limit = time - this.grace; // windows with end ≤ limit are closed
    const ts = r.timestamp;
    const key = r.key;
    const store = ps.store;
    const closedUntil = store.closedKeys.size === 0 ? undefined : store.closedKeys.get(key);
    const last = latestWindowStart(ts, stepMs);
    let missed: number[] | undefined;
    for (let start = earliestWindowStart(this.window, ts); start <= last; start += stepMs) {
      const end = start + sizeMs;
      if (end <= limit || (closedUntil !== undefined && end <= closedUntil)) {
        if (missed === undefined) missed = [start];
        else missed.push(start);
        continue;
      }
      const cell = store.getOrCreate(key, start, end, this.agg);
      cell.acc =
        r.retract === true
          ? (this.agg.retract as NonNullable<Aggregator<V, A, R>['retract']>)(cell.acc, r.value)
          : this.agg.add(cell.acc, r.value);
      store.markDirty(key);
      if (this.emitCurrent && !cell.pending) {
        cell.pending = true;
        ps.pending.push(cell);
      }
    }
    if (missed !== undefined) {
      ps.late++;
      if (this.onLate !== undefined || this.lateSink !== undefined) {
        const late: LateRecord<V> = { record: r, streamTime: time, missedWindowStarts: missed };
        this.onLate?.(late);
        this.lateSink?.push(late);
      }
    }
  }

  private touch(partition: number): PartitionState<A> {
    const ps = this.partitions.get(partition) as PartitionState<A>;
    if (!ps.touched) {
      ps.touched = true;
      this.touched.push(ps);
    }
    return ps;
  }

  /** End of a batch: close what is due, then emit the changed rows that stay open. */
  private finish(): void {
    const touched = this.touched;
    for (let i = 0; i < touched.length; i++) {
      const ps = touched[i];
      ps.touched = false;
      this.closeDue(ps);
      const pending = ps.pending;
      for (let j = 0; j < pending.length; j++) {
        const cell = pending[j];
        cell.pending = false;
        if (cell.closed) continue;
        cell.version++;
        this.sink.push(this.row(ps, cell, false));
      }
      pending.length = 0;
    }
    touched.length = 0;
  }

  private closeDue(ps: PartitionState<A>): number {
    const limit = ps.clock.time - this.grace;
    const cells = ps.store.popClosable(limit, this.closing);
    const n = cells.length;
    for (let i = 0; i < n; i++) this.emitFinal(ps, cells[i]);
    cells.length = 0;
    if (ps.store.closedKeys.size > 0) ps.store.purgeClosedKeys(limit);
    return n;
  }

  private emitFinal(ps: PartitionState<A>, cell: WindowCell<A>): void {
    cell.version++;
    this.sink.push(this.row(ps, cell, true));
  }

  private row(ps: PartitionState<A>, cell: WindowCell<A>, final: boolean): WindowRow<R> {
    return {
      key: cell.key,
      windowStart: cell.start,
      windowEnd: cell.end,
      value: this.agg.result === undefined ? (cell.acc as unknown as R) : this.agg.result(cell.acc),
      final,
      version: cell.version,
      partition: ps.partition,
    };
  }

  private meta(ps: PartitionState<A>): Omit<WindowSnapshot<A>, 'keys' | 'format'> {
    return {
      partition: ps.partition,
      inputs: ps.clock.inputs.map((i) => [i.source, Number.isFinite(i.time) ? i.time : null, i.sequence]),
      late: ps.late,
      duplicates: ps.duplicates,
      closedKeys: [...ps.store.closedKeys],
    };
  }

  private partitionState(partition: number): PartitionState<A> {
    const ps = this.partitions.get(partition);
    if (ps === undefined) {
      throw new PartitionNotAssignedError(
        `partition ${partition} is not assigned to this operator; call assign(${partition}) or restore(${partition}, snapshot) first`,
        { context: { partition, assigned: this.assigned() } },
      );
    }
    return ps;
  }

  private inputOf(ps: PartitionState<A>, source: number): InputTime {
    const input = this.inputs === undefined ? ps.clock.inputs[0] : ps.clock.inputs[source];
    if (input === undefined) {
      throw new StreamsValidationError(
        `upstream partition ${source} is outside inputs (0..${(this.inputs ?? 1) - 1}); set inputs to the upstream topic's partition count`,
        { context: { partition: ps.partition, source } },
      );
    }
    return input;
  }

  private validate(records: readonly StreamRecord<V>[]): void {
    const canRetract = this.agg.retract !== undefined;
    let last = Number.NaN;
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      if (r.partition !== last) {
        this.partitionState(r.partition);
        last = r.partition;
      }
      if (typeof r.key !== 'string' || !Number.isFinite(r.timestamp)) {
        throw new StreamsValidationError(
          `record ${i} needs a string key and a finite epoch-ms timestamp; got key ${typeof r.key}, timestamp ${String(r.timestamp)}`,
          { context: { partition: r.partition, offset: r.offset, index: i } },
        );
      }
      if (r.retract === true && !canRetract) {
        throw new UnsupportedOperationError(
          `aggregator ${this.agg.name ?? '(custom)'} has no retract(acc, value): use one that does (count, sum, or a custom one) or do not send retractions`,
          { context: { partition: r.partition, offset: r.offset, key: r.key } },
        );
      }
      if (this.inputs !== undefined) {
        const s = r.source;
        if (s === undefined || !Number.isInteger(s) || s < 0 || s >= this.inputs) {
          throw new StreamsValidationError(
            `record ${i} needs source = its upstream partition in 0..${this.inputs - 1} (this operator reads a repartition topic); got ${String(s)}`,
            { context: { partition: r.partition, offset: r.offset, source: s } },
          );
        }
      }
    }
  }
}

function requirePartitionNumber(partition: number): void {
  if (!Number.isSafeInteger(partition) || partition < 0) {
    throw new StreamsConfigError(`partition must be a whole number ≥ 0; got ${String(partition)}`, {
      context: { partition },
    });
  }
}

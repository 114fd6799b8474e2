import { StreamsConfigError, StreamsValidationError } from '../errors';
import { ClosedWindowStore } from '../state/closed-window-store';
import { estimateBytes } from '../state/size-estimate';
import {
  applyWindowChanges,
  WINDOW_SNAPSHOT_FORMAT,
  WINDOW_SNAPSHOT_FORMAT_V1,
  type WindowCell,
  type WindowChanges,
  type WindowSnapshot,
  WindowStore,
  windowCellBytes,
} from '../state/window-store';
import { type Aggregator, validateAggregator } from './aggregators';
import { PartitionNotAssignedError, SnapshotFormatError, UnsupportedOperationError } from './errors';
import { GroupInputs } from './group-inputs';
import { type KeyClock, KeyClocks } from './key-clocks';
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
import type { GroupTime, RepartitionMessage } from './repartition';
import { type InputTime, PartitionClock } from './stream-clock';
import { earliestWindowStart, latestWindowStart, validateWindow, type WindowDefinition } from './windows';

export type EmitMode = 'current' | 'final';

/**
 * Whose stream time closes a key's windows: the partition's (`'partition'`, the default), the key's own
 * (`'key'`), or that of the key's group (`(key) => group`, e.g. the tenant prefix of a stream id).
 */
export type CloseBy = 'partition' | 'key' | ((key: string) => string);

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
  /**
   * Restatement horizon, ms of stream time. Omit for no restatement (a record for a closed window is late).
   * Set: a closed window keeps its accumulator, version and revision until the partition's stream time
   * reaches `windowEnd + grace + restateForMs` (the horizon); a record (or retraction) for it until then is applied and the window
   * is emitted again, once per call, with `final: true`, `version + 1`, `revision + 1`, `restated: true`.
   */
  restateForMs?: number;
  /**
   * Whose stream time closes a key's windows (default `'partition'`). `'key'`: the highest timestamp of the
   * key's own records; a function: of its group's (`(key) => tenantOf(key)`), so one key's (tenant's) clock
   * never makes another's records late or restated. Needs `restateForMs` (the horizon, judged on the
   * partition's time). With `inputs` (after a repartition hop) only a function: the group's time is the minimum
   * over the upstream partitions of what each announced of the group (their `RepartitionBoundary`'s
   * `timeGroup`, which must give the same groups), see the README's "Per-group time after a hop".
   */
  closeBy?: CloseBy;
}

export interface PartitionStats {
  partition: number;
  /** The operator's stream time (min over inputs); null before any. */
  streamTime: number | null;
  /** Keys with open windows. */
  keys: number;
  openWindows: number;
  stateBytes: number;
  dirtyKeys: number;
  late: number;
  duplicates: number;
  /** Restatement emissions (kept in the snapshot). */
  restatements: number;
  /** Closed windows kept for restatement (their bytes are in `stateBytes`). */
  closedWindows: number;
  /** Clock groups with windows (key-level closing; 0 otherwise). */
  clocks: number;
}

class PartitionState<A> {
  late = 0;
  duplicates = 0;
  restatements = 0;
  /** Cells changed in this batch, for `current` emission. */
  readonly pending: WindowCell<A>[] = [];
  /** Closed windows restated in this batch (key → starts), emitted once at its end. */
  readonly restating = new Map<string, number[]>();
  touched = false;
  /** No window is due before the partition's time reaches this (a lower bound; −∞: look). */
  dueAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly partition: number,
    readonly clock: PartitionClock,
    readonly store: WindowStore<A>,
    /** With restatement: the closed windows kept until the horizon. */
    readonly closed: ClosedWindowStore<A> | undefined,
    /** Key-level closing: the clock of each key (group) with windows. */
    readonly keyClocks: KeyClocks | undefined,
    /** Closing by group after a hop: each group's time per upstream partition. */
    readonly groupInputs: GroupInputs | undefined,
  ) {}
}

/**
 * Keyed event-time windows with a mergeable aggregator, per partition.
 *
 * Driven by plain calls: `process(batch)` as records arrive, `tick(now)` from the consumer loop,
 * `closeKey` on stream end, and `snapshot`/`changes`/`markCheckpointed`/`restore`/`revoke` from the
 * checkpoint. A window `[s, e)` closes when stream time ≥ e + grace (the partition's, or with `closeBy` the
 * key's or its group's); it is emitted `final` and freed, or with `restateForMs` kept closed until the
 * horizon so a record for it restates it. A record is judged against the stream time at its arrival, so
 * the final values do not depend on how records are batched.
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
  private readonly accBytes: number;
  private readonly restateForMs?: number;
  /** Key-level closing: key → clock group (identity for `'key'`). */
  private readonly groupOf?: (key: string) => string;
  private readonly grouped: boolean;
  private mode: TimeMode;
  private readonly partitions = new Map<number, PartitionState<A>>();
  private readonly touched: PartitionState<A>[] = [];
  private readonly closing: WindowCell<A>[] = [];
  /** Inside `processMessages`: restatements wait for the end of the whole batch (emitted once per window). */
  private deferRestatements = false;
  /** Inside `batch`: the end of each `process` call waits for the end of the batch. */
  private batchDepth = 0;

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
    this.accBytes = accBytes;
    this.restateForMs =
      options.restateForMs === undefined ? undefined : requireNonNegativeMs('restateForMs', options.restateForMs);
    const closeBy = options.closeBy ?? 'partition';
    if (closeBy !== 'partition' && closeBy !== 'key' && typeof closeBy !== 'function') {
      throw new StreamsConfigError(
        `closeBy must be 'partition' (default), 'key' (each key's own time) or a function key => group (e.g. its tenant); got ${String(closeBy)}`,
        { context: { option: 'closeBy', value: closeBy } },
      );
    }
    this.grouped = typeof closeBy === 'function';
    if (closeBy !== 'partition') {
      if (this.restateForMs === undefined) {
        throw new StreamsConfigError(
          "closeBy by key needs restateForMs: a key's clock is kept only while it holds windows, and the horizon (partition time − grace − restateForMs) judges a key seen again after that; without one such a key would reopen windows already final. Set restateForMs to the oldest delay you accept (e.g. ingest's max past), or keep closeBy: 'partition'",
          { context: { option: 'closeBy' } },
        );
      }
      if (this.inputs !== undefined && !this.grouped) {
        throw new StreamsConfigError(
          "closeBy: 'key' cannot be combined with inputs: after a repartition hop a key's records come from several upstream partitions, each with its own delays, so the highest timestamp one of them delivered says nothing about what another still holds. Close by group there (closeBy: (key) => group, with the upstream RepartitionBoundary's timeGroup announcing the same groups), use closeBy: 'partition' (time = minimum over the inputs), or close by key before the hop",
          { context: { option: 'closeBy', inputs: this.inputs } },
        );
      }
      this.groupOf = closeBy === 'key' ? (key) => key : closeBy;
    }
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
    const keyLevel = this.groupOf !== undefined;
    const store = new WindowStore<A>(this.cellBytes, this.window.sizeMs);
    const closed =
      this.restateForMs === undefined ? undefined : new ClosedWindowStore<A>(this.window.sizeMs, this.accBytes);
    const keyClocks = keyLevel ? new KeyClocks(this.grouped, this.idleMs !== undefined) : undefined;
    const groupInputs =
      keyLevel && this.inputs !== undefined
        ? new GroupInputs(this.inputs, snapshot?.groupInputs, snapshot?.ungroupedInputs)
        : undefined;
    const ps = new PartitionState<A>(partition, clock, store, closed, keyClocks, groupInputs);
    if (snapshot !== undefined) {
      const format = (snapshot as { format?: unknown } | null)?.format;
      if (
        snapshot === null ||
        typeof snapshot !== 'object' ||
        (format !== WINDOW_SNAPSHOT_FORMAT && format !== WINDOW_SNAPSHOT_FORMAT_V1)
      ) {
        throw new SnapshotFormatError(
          `snapshot for partition ${partition} is not a ${WINDOW_SNAPSHOT_FORMAT} (or ${WINDOW_SNAPSHOT_FORMAT_V1}) snapshot; pass what snapshot() returned, or undefined to start empty`,
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
      ps.restatements = snapshot.restatements ?? 0;
      store.load(snapshot.keys, snapshot.closedKeys);
      closed?.load(snapshot.closed ?? []);
      if (keyClocks !== undefined) this.loadClocks(ps, keyClocks, snapshot);
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
      for (const ps of this.partitions.values()) {
        ps.clock.touchAll(now);
        if (ps.keyClocks !== undefined) {
          for (const c of ps.keyClocks.values()) {
            c.lastActivity = now;
            c.anchorTime = c.time;
          }
        }
      }
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
      // windows due at the new time close before the record is judged (as if it came in a batch of its own)
      if (ps.clock.observe(input, r.timestamp, now) && ps.clock.time >= ps.dueAt) this.closeDue(ps);
      const clocks = ps.keyClocks;
      if (clocks === undefined) {
        this.apply(ps, r, ps.clock.time);
        continue;
      }
      const g = clocks.touch(this.groupId(r), now);
      const gi = ps.groupInputs;
      if (gi !== undefined) {
        // after a hop: the group's time is the minimum over the sources of what they announced of it
        const t = gi.observe(g.id, r.timestamp, ps.clock.inputs);
        if (t > g.time) {
          g.time = t;
          g.anchorTime = t;
          if (t - this.grace >= g.minOpenEnd) this.closeGroup(ps, g);
        } else {
          g.anchorTime = g.time;
        }
      } else if (r.timestamp > g.time) {
        g.time = r.timestamp;
        g.anchorTime = r.timestamp;
        if (g.time - this.grace >= g.minOpenEnd) this.closeGroup(ps, g);
        if (this.holdsWindows(ps, r.key)) ps.store.markDirty(r.key); // its row carries the clock's time
      } else {
        g.anchorTime = g.time;
      }
      this.apply(ps, r, g.time, g);
      if (g.cells === 0) clocks.delete(g);
    }
    if (this.batchDepth === 0) this.finish();
  }

  /**
   * Runs `fn`, whose `process` calls count as one batch: a window they change several times is emitted once, at
   * the end (one version), and so is a restated one. For a caller that derives each record from state the records
   * before it changed (and must see time move record by record) yet wants the rows of one batch. Windows still close
   * as time reaches them, during `fn`.
   */
  batch(fn: () => void): void {
    this.batchDepth++;
    try {
      fn();
    } finally {
      this.batchDepth--;
      if (this.batchDepth === 0) this.finish();
    }
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
    const ps = this.partitionState(partition);
    this.deferRestatements = true;
    try {
      this.feed(partition, messages);
    } finally {
      this.deferRestatements = false;
    }
    this.emitRestatements(ps);
  }

  private feed(partition: number, messages: readonly RepartitionMessage<V>[]): void {
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
        this.advanceTime(partition, m.sourcePartition, m.streamTime, m.groups);
      }
    }
    if (batch.length > 0) this.process(batch);
  }

  /**
   * An upstream time marker: `source` has reached `streamTime` (after a repartition hop), and with `closeBy`
   * its time groups theirs (`groups`, what its boundary's `timeGroup` announced; none: it has no time groups).
   */
  advanceTime(partition: number, source: number, streamTime: number, groups?: readonly GroupTime[]): void {
    const ps = this.partitionState(partition);
    const input = this.inputOf(ps, source);
    const now = this.mode === 'live' && this.idleMs !== undefined ? this.clock() : 0;
    const moved = ps.clock.observe(input, streamTime, now);
    if (ps.groupInputs !== undefined) {
      ps.groupInputs.announced(source, groups);
      this.advanceGroups(ps, now);
    }
    if (moved) {
      this.touch(partition);
      if (this.batchDepth === 0) this.finish();
    }
  }

  /** Closing by group after a hop: each group with windows moves to its time (minimum over the sources). */
  private advanceGroups(ps: PartitionState<A>, now: number): number {
    const clocks = ps.keyClocks as KeyClocks;
    const gi = ps.groupInputs as GroupInputs;
    let rows = 0;
    let moved: KeyClock[] | undefined;
    for (const g of clocks.values()) {
      const t = gi.time(g.id, ps.clock.inputs);
      if (t <= g.time) continue;
      g.time = t;
      g.anchorTime = t;
      if (t - this.grace >= g.minOpenEnd) rows += this.closeGroup(ps, g);
      if (moved === undefined) moved = [g];
      else moved.push(g);
    }
    // active again (idling starts from here); touched after the walk, which `touch` reorders
    if (moved !== undefined) for (const g of moved) if (clocks.get(g.id) === g) clocks.touch(g.id, now);
    return rows;
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
      if (ps.clock.idle(now, this.idleMs)) {
        rows += this.closeDue(ps);
        if (ps.groupInputs !== undefined) rows += this.advanceGroups(ps, now);
      }
      if (ps.keyClocks === undefined) continue;
      // oldest activity first: stop at the first group that is not quiet
      for (const g of ps.keyClocks.values()) {
        const quiet = now - g.lastActivity;
        if (quiet < this.idleMs) break;
        const t = g.anchorTime + quiet;
        if (t <= g.time) continue;
        g.time = t;
        if (t - this.grace >= g.minOpenEnd) rows += this.closeGroup(ps, g);
      }
    }
    return rows;
  }

  /**
   * Stream end of `key`: finalises its open windows now and frees its state (with `restateForMs`, keeps them
   * closed until the horizon: a record for them restates them). Returns the rows emitted.
   */
  closeKey(partition: number, key: string): number {
    const ps = this.partitionState(partition);
    ps.dueAt = Number.NEGATIVE_INFINITY; // its closed-key entry waits for time
    const cells = ps.store.removeKey(key, this.closing);
    const n = cells.length;
    for (let i = 0; i < n; i++) this.closeCell(ps, cells[i]);
    cells.length = 0;
    return n;
  }

  // ── checkpoint ───────────────────────────────────────────────────────────────────────────────────

  /** The partition's whole state as plain JSON data. */
  snapshot(partition: number): WindowSnapshot<A> {
    const ps = this.partitionState(partition);
    const closed = ps.closed?.entries() ?? [];
    const keys = ps.store.entries(
      this.clockTimeOf(ps),
      ps.keyClocks === undefined ? undefined : closed.map(([key]) => key),
    );
    return { format: WINDOW_SNAPSHOT_FORMAT, ...this.meta(ps), keys, ...(closed.length > 0 ? { closed } : {}) };
  }

  /** What changed since the last `markCheckpointed(partition)` (keys touched, plus the small fields). */
  changes(partition: number): WindowChanges<A> {
    const ps = this.partitionState(partition);
    const keep = ps.keyClocks === undefined ? undefined : (key: string) => ps.closed?.hasKey(key) === true;
    const { upserts, deletes } = ps.store.changes(this.clockTimeOf(ps), keep);
    if (ps.closed !== undefined) {
      const closed = ps.closed.changes();
      return {
        format: WINDOW_SNAPSHOT_FORMAT,
        ...this.meta(ps),
        upserts,
        deletes,
        closedUpserts: closed.upserts,
        closedDeletes: closed.deletes,
      };
    }
    return { format: WINDOW_SNAPSHOT_FORMAT, ...this.meta(ps), upserts, deletes };
  }

  /** Call after the checkpoint transaction that wrote `changes(partition)` committed. */
  markCheckpointed(partition: number): void {
    const ps = this.partitionState(partition);
    ps.store.markClean();
    ps.closed?.markClean();
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
      stateBytes: this.bytesOf(ps),
      dirtyKeys: ps.store.dirtyCount,
      late: ps.late,
      duplicates: ps.duplicates,
      restatements: ps.restatements,
      closedWindows: ps.closed?.count ?? 0,
      clocks: ps.keyClocks?.size ?? 0,
    };
  }

  /** The partition's stream time (the minimum over its inputs; the horizon is judged on it); null before any. */
  streamTime(partition: number): number | null {
    const t = this.partitionState(partition).clock.time;
    return Number.isFinite(t) ? t : null;
  }

  /**
   * The time that closes `key`'s windows now (a window `[s, e)` of it is closed once it is ≥ e + grace): with
   * `closeBy` its group's, else the partition's stream time; null before any.
   */
  closingTime(partition: number, key: string): number | null {
    const ps = this.partitionState(partition);
    let t = ps.clock.time;
    if (ps.keyClocks !== undefined) {
      const id = (this.groupOf as (key: string) => string)(key);
      const g = ps.keyClocks.get(id);
      if (g !== undefined) t = g.time;
      else if (ps.groupInputs !== undefined) t = ps.groupInputs.time(id, ps.clock.inputs);
    }
    return Number.isFinite(t) ? t : null;
  }

  /** Estimated heap bytes of all partitions' state (open and closed windows, key clocks). */
  get stateBytes(): number {
    let n = 0;
    for (const ps of this.partitions.values()) n += this.bytesOf(ps);
    return n;
  }

  /** True while the state is above `maxStateBytes`: pause fetching until windows close. */
  get overLimit(): boolean {
    return this.maxStateBytes !== undefined && this.stateBytes > this.maxStateBytes;
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────────────

  /**
   * Applies `r` to its windows, judged at `time` (the partition's, or the key's clock `g`): a window open at it
   * changes; a closed one within the horizon is restated (with `restateForMs`); anything else makes `r` late.
   */
  private apply(ps: PartitionState<A>, r: StreamRecord<V>, time: number, g?: KeyClock): void {
    const { sizeMs, stepMs } = this.window;
    const closeLimit = time - this.grace; // windows with end ≤ closeLimit are closed
    const closedStore = ps.closed;
    // windows with end ≤ horizon are gone for good (always judged on the partition's time)
    const horizon =
      closedStore === undefined ? Number.NEGATIVE_INFINITY : ps.clock.time - this.grace - (this.restateForMs as number);
    const ts = r.timestamp;
    const key = r.key;
    const store = ps.store;
    const closedUntil = store.closedKeys.size === 0 ? undefined : store.closedKeys.get(key);
    const last = latestWindowStart(ts, stepMs);
    let missed: number[] | undefined;
    for (let start = earliestWindowStart(this.window, ts); start <= last; start += stepMs) {
      const end = start + sizeMs;
      let cell = end <= horizon ? undefined : store.find(key, start);
      if (cell === undefined) {
        const closed =
          end <= horizon ||
          end <= closeLimit ||
          (closedUntil !== undefined && end <= closedUntil) ||
          closedStore?.has(key, start) === true;
        if (closed) {
          if (closedStore === undefined || end <= horizon) {
            if (missed === undefined) missed = [start];
            else missed.push(start);
          } else {
            this.restate(ps, closedStore, key, start, r, g);
          }
          continue;
        }
        cell = store.insert(key, start, end, this.agg.initial(), 0);
        this.dueNoLaterThan(ps, end + (g === undefined ? this.grace : this.grace + (this.restateForMs as number)));
        if (g !== undefined) this.created(ps, g, key, end);
      }
      cell.acc = this.fold(cell.acc, r);
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

  private fold(acc: A, r: StreamRecord<V>): A {
    return r.retract === true
      ? (this.agg.retract as NonNullable<Aggregator<V, A, R>['retract']>)(acc, r.value)
      : this.agg.add(acc, r.value);
  }

  /** Applies `r` to a closed window (one that closed empty starts from `initial()`), emitted at the end of the batch. */
  private restate(
    ps: PartitionState<A>,
    closed: ClosedWindowStore<A>,
    key: string,
    start: number,
    r: StreamRecord<V>,
    g: KeyClock | undefined,
  ): void {
    if (!closed.has(key, start)) {
      closed.add(key, start, this.agg.initial(), 0, 0);
      this.dueNoLaterThan(ps, start + this.window.sizeMs + this.grace + (this.restateForMs as number));
      if (g !== undefined) this.created(ps, g, key, Number.POSITIVE_INFINITY);
    }
    closed.update(key, start, (acc) => this.fold(acc, r));
    const starts = ps.restating.get(key);
    if (starts === undefined) ps.restating.set(key, [start]);
    else if (!starts.includes(start)) starts.push(start);
  }

  /** A window (open, ending at `openEnd`; or closed: +Infinity) of group `g` was created. */
  private created(ps: PartitionState<A>, g: KeyClock, key: string, openEnd: number): void {
    g.cells++;
    if (openEnd < g.minOpenEnd) g.minOpenEnd = openEnd;
    (ps.keyClocks as KeyClocks).addKey(g, key);
  }

  /** A window of `key` left the state for good: the clock of its group goes with the group's last window. */
  private released(ps: PartitionState<A>, key: string): void {
    const clocks = ps.keyClocks as KeyClocks;
    const g = clocks.get((this.groupOf as (key: string) => string)(key));
    if (g === undefined) return;
    g.cells--;
    if (!this.holdsWindows(ps, key)) {
      clocks.removeKey(g, key);
      ps.store.markDirty(key); // its row (kept for the clock time) goes at the next checkpoint
    }
    if (g.cells === 0) clocks.delete(g);
  }

  private holdsWindows(ps: PartitionState<A>, key: string): boolean {
    return ps.store.has(key) || ps.closed?.hasKey(key) === true;
  }

  private groupId(r: StreamRecord<V>): string {
    const id = (this.groupOf as (key: string) => string)(r.key);
    if (typeof id !== 'string') {
      throw new StreamsValidationError(
        `closeBy(key) must return a string (the key's clock group); got ${typeof id} for key "${r.key}"`,
        { context: { partition: r.partition, key: r.key } },
      );
    }
    return id;
  }

  private touch(partition: number): PartitionState<A> {
    const ps = this.partitions.get(partition) as PartitionState<A>;
    if (!ps.touched) {
      ps.touched = true;
      this.touched.push(ps);
    }
    return ps;
  }

  /** End of a batch: close what is due, emit the changed rows that stay open, then the restated ones. */
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
        if (cell.freed) continue;
        cell.version++;
        this.sink.push(this.row(ps, cell, false));
      }
      pending.length = 0;
      if (!this.deferRestatements) this.emitRestatements(ps);
    }
    touched.length = 0;
  }

  /** Each window restated since the last call, once: `final`, `version + 1`, `revision + 1`, `restated`. */
  private emitRestatements(ps: PartitionState<A>): void {
    if (ps.restating.size === 0) return;
    const closed = ps.closed as ClosedWindowStore<A>;
    for (const [key, starts] of ps.restating) {
      for (const start of starts) {
        const { acc, version, revision } = closed.restated(key, start);
        ps.restatements++;
        this.sink.push(this.closedRow(ps, key, start, acc, version, revision));
      }
    }
    ps.restating.clear();
  }

  /**
   * Closes what the partition's time makes due: open windows (closing by partition; with key-level closing
   * only those past the horizon, whose key's own clock never closed them) and closed windows past the
   * restatement horizon. Returns the rows emitted.
   */
  private closeDue(ps: PartitionState<A>): number {
    const time = ps.clock.time;
    const store = ps.store;
    const keyLevel = ps.keyClocks !== undefined;
    const horizon = time - this.grace - (this.restateForMs ?? 0);
    const limit = keyLevel ? horizon : time - this.grace;
    let n = 0;
    if (limit >= store.nextEnd) {
      const cells = store.popClosable(limit, this.closing);
      n = cells.length;
      for (let i = 0; i < n; i++) {
        const cell = cells[i];
        if (keyLevel) {
          this.emitFinal(ps, cell); // beyond the horizon: final, not kept
          this.released(ps, cell.key);
        } else {
          this.closeCell(ps, cell);
        }
      }
      cells.length = 0;
    }
    const closed = ps.closed;
    if (closed !== undefined && horizon >= closed.nextEnd) {
      closed.popBeyond(horizon, (key, start, acc, version, revision) => {
        const starts = ps.restating.get(key);
        const at = starts === undefined ? -1 : starts.indexOf(start);
        if (at >= 0) {
          // restated in this batch and past the horizon before its end: its restatement still goes out
          (starts as number[]).splice(at, 1);
          ps.restatements++;
          this.sink.push(this.closedRow(ps, key, start, acc, version + 1, revision + 1));
        }
        if (keyLevel) this.released(ps, key);
      });
    }
    if (store.closedKeys.size > 0) store.purgeClosedKeys(limit);
    // next due: the first open window's end (+ grace, or + grace + restateForMs by key), the first closed one's
    const openDue = store.nextEnd + (keyLevel ? time - limit : this.grace);
    const closedDue = closed === undefined ? Number.POSITIVE_INFINITY : closed.nextEnd + (time - horizon);
    // closed keys are in insertion order, roughly by time: purged from the front, so the first one is next
    const closedKeyDue =
      store.closedKeys.size === 0
        ? Number.POSITIVE_INFINITY
        : (store.closedKeys.values().next().value as number) + (time - limit);
    ps.dueAt = Math.min(openDue, closedDue, closedKeyDue);
    return n;
  }

  /** An open cell (already taken out of the store) closes: its final row, then kept closed with restatement. */
  private closeCell(ps: PartitionState<A>, cell: WindowCell<A>): void {
    this.emitFinal(ps, cell);
    if (ps.closed === undefined) return;
    ps.closed.add(cell.key, cell.start, cell.acc, cell.version, 0);
    this.dueNoLaterThan(ps, cell.end + this.grace + (this.restateForMs as number));
  }

  private dueNoLaterThan(ps: PartitionState<A>, time: number): void {
    if (time < ps.dueAt) ps.dueAt = time;
  }

  /** Closes the open windows of group `g` that its own time makes due (key-level closing). */
  private closeGroup(ps: PartitionState<A>, g: KeyClock): number {
    const limit = g.time - this.grace;
    let n = 0;
    let min = Number.POSITIVE_INFINITY;
    const store = ps.store;
    const scan = (key: string): void => {
      let c = store.head(key);
      while (c !== null && c.end <= limit) {
        const next = c.next; // a key's windows are sorted: the due ones are at the head
        store.free(c);
        this.closeCell(ps, c);
        n++;
        c = next;
      }
      if (c !== null && c.end < min) min = c.end;
    };
    if (g.keys === null) scan(g.id);
    else for (const key of g.keys) scan(key);
    g.minOpenEnd = min;
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
      revision: 0,
      restated: false,
      partition: ps.partition,
    };
  }

  private closedRow(
    ps: PartitionState<A>,
    key: string,
    start: number,
    acc: A,
    version: number,
    revision: number,
  ): WindowRow<R> {
    return {
      key,
      windowStart: start,
      windowEnd: start + this.window.sizeMs,
      value: this.agg.result === undefined ? (acc as unknown as R) : this.agg.result(acc),
      final: true,
      version,
      revision,
      restated: true,
      partition: ps.partition,
    };
  }

  /** Key-level closing: each group's time from its keys' rows (the highest; the partition's when absent). */
  private loadClocks(ps: PartitionState<A>, clocks: KeyClocks, snapshot: WindowSnapshot<A>): void {
    const now = this.clock();
    const groupOf = this.groupOf as (key: string) => string;
    const times = new Map<string, number>();
    for (const [key, , t] of snapshot.keys) if (typeof t === 'number') times.set(key, t);
    const seen = new Set<string>();
    const visit = (key: string): void => {
      if (seen.has(key) || !this.holdsWindows(ps, key)) return;
      seen.add(key);
      const g = clocks.touch(groupOf(key), now);
      const t = Math.max(times.get(key) ?? ps.clock.time, ps.groupInputs?.time(g.id, ps.clock.inputs) ?? -Infinity);
      if (t > g.time) g.time = t;
      g.anchorTime = g.time;
      const open = ps.store.windowsOf(key);
      g.cells += open.length + (ps.closed?.countOf(key) ?? 0);
      if (open.length > 0 && open[0].end < g.minOpenEnd) g.minOpenEnd = open[0].end;
      clocks.addKey(g, key);
    };
    for (const [key] of snapshot.keys) visit(key);
    for (const [key] of snapshot.closed ?? []) visit(key);
  }

  /** Key-level closing: what a key's row carries as its clock's time. */
  private clockTimeOf(ps: PartitionState<A>): ((key: string) => number | undefined) | undefined {
    const clocks = ps.keyClocks;
    if (clocks === undefined) return undefined;
    const groupOf = this.groupOf as (key: string) => string;
    return (key) => {
      const t = clocks.get(groupOf(key))?.time;
      return t !== undefined && Number.isFinite(t) ? t : undefined;
    };
  }

  private bytesOf(ps: PartitionState<A>): number {
    return ps.store.bytes + (ps.closed?.bytes ?? 0) + (ps.keyClocks?.bytes ?? 0) + (ps.groupInputs?.bytes ?? 0);
  }

  private meta(ps: PartitionState<A>): Omit<WindowSnapshot<A>, 'keys' | 'format'> {
    return {
      partition: ps.partition,
      inputs: ps.clock.inputs.map((i) => [i.source, Number.isFinite(i.time) ? i.time : null, i.sequence]),
      late: ps.late,
      duplicates: ps.duplicates,
      restatements: ps.restatements,
      closedKeys: [...ps.store.closedKeys],
      ...(ps.groupInputs === undefined ? {} : ps.groupInputs.snapshot()),
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

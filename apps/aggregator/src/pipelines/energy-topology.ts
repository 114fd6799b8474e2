import {
  DEFAULT_MAX_FUTURE_MS,
  DEFAULT_MAX_PAST_MS,
  type MeterEnergyUpdate,
  MeterSeries,
  meterEnergyUpdate,
  meterPropertiesSchema,
  PropertyKeys,
  parseStreamId,
  restatementHorizonMs,
  Topics,
  UpdateTopics,
} from '@switchboard/domain';
import {
  type CheckpointedState,
  type ConsumedMessage,
  type InputTime,
  KeyedStore,
  keyedState,
  type OutboxRecord,
  PartitionClock,
  PartitionedStores,
  type StoredState,
  type StreamPropertiesData,
  type Topology,
} from '@switchboard/streams';
import {
  decodeSegment,
  ENERGY_WINDOW_MS,
  EnergyValueError,
  type EnergyWindowRow,
  encodeSegment,
  energyWindowStart,
  type FinalSegment,
  type FinalSegments,
} from '../energy';
import { Refusals, type RefusalType, type RefusedSource } from './data-quality-dead-letter';
import { type DataQualityRow, writeDataQuality } from './data-quality-sql';
import { type EnergyWindowChange, type MeterPropertiesRow, writeEnergyWindows, writeMeters } from './energy-sql';
import { IdleMeters } from './idle-meters';
import { MeterState, type MeterStateSnapshot } from './meter-state';
import { isoTime, metricUpdateRecord } from './metric-update-record';

/** A meter without readings for this long (partition stream time) is evicted; see the README of this folder. */
export const METER_STATE_TTL_MS = 7 * 86_400_000;

/** Timestamps Postgres can hold and RFC 3339 can write (year 0–9999); anything else is an impossible reading. */
const MAX_EPOCH_MS = 253_402_300_799_999;

/**
 * Store keys of final segments: `<meter stream id>#<hour start>`, one entry per meter and hour holding that hour's
 * final windows as compact text (`<quarter>=<encodeSegment>` joined by spaces): a checkpoint writes only the hours
 * whose windows changed, and the per-entry overhead is shared by four windows. A stream id never holds '#' (the id
 * charset is A-Z a-z 0-9 . _ : -), and Postgres text (the checkpoint rows) cannot hold U+0000.
 */
const SEGMENT_SEPARATOR = '#';
const BUCKET_MS = 6 * 3_600_000;

export interface EnergyTopologyOptions {
  graceMs: number;
  idleMs: number;
  mode: 'live' | 'replay';
  /**
   * How long (stream time, after end + grace) a final window stays restatable (config.restateForMs). Default:
   * restatementHorizonMs of ingest's default accepted past and future.
   */
  restateForMs?: number;
  /** The input topic (default `events.meters`): refused items go to `<inputTopic>.dlq` with it as provenance. */
  inputTopic?: string;
  updatesTopic?: string;
  ttlMs?: number;
  /** Wall clock (idle detection only; results never depend on it in replay mode). */
  clock?: () => number;
}

export type EnergyResult =
  | ({ kind: 'window' } & EnergyWindowChange)
  | ({ kind: 'meter' } & MeterPropertiesRow)
  | { kind: 'data-quality'; row: DataQualityRow };

/** A changed row waiting for its version at the end of the batch (or tick) that changed it. */
interface PendingRow {
  meter: MeterState;
  tenant: string;
  meterId: string;
  row: EnergyWindowRow;
  /** The row was already published as final before this batch: its revision grows. */
  restates: boolean;
}

/** A meter's snapshot, or an hour of its final segments (keys with SEGMENT_SEPARATOR). */
export type EnergyStoreValue = MeterStateSnapshot | string;

/** Everything one assigned partition holds in memory. */
interface EnergyPartition {
  store: KeyedStore<EnergyStoreValue>;
  meters: Map<string, MeterState>;
  /** Meters changed since the last drain: their snapshots go into the store then, not at every reading. */
  dirty: Set<string>;
  /** Partition stream time: segment expiry (the restatement horizon) and the TTL, never sealing. */
  clock: PartitionClock;
  input: InputTime;
  /** The window boundary of the last expiry/TTL sweep; a full sweep runs only when it moves (every 15 min). */
  swept: number;
  idle: IdleMeters;
  pending: Map<string, PendingRow>;
}

export interface EnergyTopology extends Topology<EnergyResult> {
  /** Stream time of a partition (tests, metrics). */
  streamTime(partition: number): number | undefined;
  /** A meter's own stream time (tests). */
  meterTime(partition: number, streamId: string): number | undefined;
  /** Meters held in memory on a partition. */
  meterCount(partition: number): number;
  /** Readings and properties refused since start (`late` = readings beyond the restatement horizon). */
  readonly refused: Readonly<Record<RefusalType, number>>;
}

/**
 * events.meters → meter_energy_15m, meters, data_quality_events and row updates on metrics.updates.
 *
 * Per meter a MeterEnergy (re-attribution, exact mWh), the versions of its open rows and its own stream time, and
 * per final window within the restatement horizon a segment, all in a per-partition KeyedStore checkpointed through
 * `keyedState`. A meter's windows are sealed by its own stream time − grace (key-level closing: another meter's
 * clock never makes its readings late); in live mode a meter quiet for idleMs follows the wall clock. A reading
 * for a final window restates it (and any final window its successor's re-attribution touches). Rows changed in
 * one batch (or tick) get one new version each; a row that closes gets only its final version; a final row
 * changed again gets version + 1 and revision + 1, and its update says `restatement: true`.
 */
export function energyTopology(opts: EnergyTopologyOptions): EnergyTopology {
  const updatesTopic = opts.updatesTopic ?? UpdateTopics.updates;
  const inputTopic = opts.inputTopic ?? Topics.meters;
  const ttlMs = opts.ttlMs ?? METER_STATE_TTL_MS;
  const restateForMs =
    opts.restateForMs ??
    restatementHorizonMs({ maxPastMs: DEFAULT_MAX_PAST_MS, maxFutureMs: DEFAULT_MAX_FUTURE_MS }, opts.graceMs);
  const wall = opts.clock ?? Date.now;
  const stores = new PartitionedStores<EnergyStoreValue>();
  const meterStore = keyedState('energy-meters', stores);
  const partitions = new Map<number, EnergyPartition>();
  let results: EnergyResult[] = [];
  let outbox: OutboxRecord[] = [];
  const refusals = new Refusals((row) => results.push({ kind: 'data-quality', row }));
  const sourceOf = (m: ConsumedMessage): RefusedSource => ({
    topic: inputTopic,
    partition: m.partition,
    offset: m.offset,
    streamId: m.streamId,
  });

  function newMeter(
    store: KeyedStore<EnergyStoreValue>,
    clock: PartitionClock,
    key: string,
    snapshot?: MeterStateSnapshot,
  ) {
    return new MeterState(hourSegments(store, clock, key), snapshot, wall());
  }

  // The KeyedStore holds each meter's checkpointed snapshot and its final segments; the live MeterState objects
  // are rebuilt from it on assignment. Partition stream time rides along in the store's meta row.
  const state: CheckpointedState = {
    name: meterStore.name,
    restore(p: number, stored: StoredState | undefined) {
      meterStore.restore(p, stored);
      const store = stores.get(p) as KeyedStore<EnergyStoreValue>;
      const clock = new PartitionClock([p], wall());
      const input = clock.inputs[0];
      clock.resumeAt((stored?.meta as { streamTime?: number | null } | undefined)?.streamTime);
      const meters = new Map<string, MeterState>();
      const idle = new IdleMeters();
      for (const [key, value] of store.snapshot().entries) {
        if (key.includes(SEGMENT_SEPARATOR)) continue;
        meters.set(key, newMeter(store, clock, key, value as MeterStateSnapshot));
        idle.touch(key, wall());
      }
      partitions.set(p, {
        store,
        meters,
        dirty: new Set(),
        clock,
        input,
        swept: Number.NEGATIVE_INFINITY,
        idle,
        pending: new Map(),
      });
    },
    changes(p: number) {
      const c = meterStore.changes(p);
      const time = partitions.get(p)?.clock.time;
      const streamTime = time !== undefined && Number.isFinite(time) ? time : null;
      return c ? { ...c, meta: { ...(c.meta as object), streamTime } } : undefined;
    },
    markCheckpointed: (p) => meterStore.markCheckpointed(p),
    revoke(p: number) {
      meterStore.revoke(p);
      partitions.delete(p);
    },
  };

  function emitPending(part: EnergyPartition): void {
    for (const { meter, tenant, meterId, row, restates } of part.pending.values()) {
      const { version, revision } = meter.publish(row, restates);
      part.dirty.add(`${tenant}/${meterId}`);
      results.push({ kind: 'window', tenant, meterId, row, version, revision });
      const update = energyUpdate(tenant, meterId, row, version, revision, restates);
      outbox.push(metricUpdateRecord(updatesTopic, update));
    }
    part.pending.clear();
  }

  /** Queues changed rows; a final row changed by a reading (not by its sealing) is a restatement. */
  function queue(
    part: EnergyPartition,
    meter: MeterState,
    key: string,
    rows: readonly EnergyWindowRow[],
    read: boolean,
  ) {
    if (rows.length === 0) return;
    const { tenant, entityId } = parseStreamId(key);
    for (const row of rows) {
      const id = `${key}${SEGMENT_SEPARATOR}${row.windowStart}`;
      // A window sealed earlier in this batch has not been published as final yet: changing it again is no
      // restatement. One already published as final is.
      const restates = row.isFinal && read ? (part.pending.get(id)?.restates ?? true) : false;
      part.pending.set(id, { meter, tenant, meterId: entityId, row, restates });
    }
  }

  /** Partition stream time − grace − restateForMs: windows ending before it are beyond the horizon. */
  const horizonOf = (part: EnergyPartition) => part.clock.time - opts.graceMs - restateForMs;

  /**
   * Seals `meter` at its own stream time − grace, or at the horizon if the meter lags behind it (a reading that
   * old cannot have been accepted, so no other meter's clock decides anything: this only lets a meter that
   * stopped for good — replays never idle — close its last windows and leave the state).
   */
  function seal(part: EnergyPartition, meter: MeterState, key: string): void {
    queue(part, meter, key, meter.energy.seal(Math.max(meter.time - opts.graceMs, horizonOf(part))), false);
  }

  /**
   * When the window boundary moved: closes the windows of meters lagging beyond the horizon, expires segments,
   * evicts meters quiet for the TTL with nothing left (no open window, no segment).
   */
  function sweep(part: EnergyPartition): void {
    const sealedBefore = part.clock.time - opts.graceMs;
    if (!Number.isFinite(sealedBefore)) return;
    const boundary = energyWindowStart(sealedBefore);
    if (boundary <= part.swept) return;
    part.swept = boundary;
    for (const [key, meter] of part.meters) {
      const oldest = meter.energy.oldestOpenWindow();
      if (oldest !== undefined && oldest + ENERGY_WINDOW_MS <= horizonOf(part)) seal(part, meter, key);
      if (meter.energy.expire(horizonOf(part)) > 0) part.dirty.add(key);
      const quiet = meter.touchedAt <= part.clock.time - ttlMs;
      if (quiet && meter.energy.oldestOpenWindow() === undefined && meter.energy.keptFinals.length === 0) {
        part.meters.delete(key);
        part.dirty.delete(key);
        part.store.delete(key);
        part.idle.forget(key);
      }
    }
  }

  /** Live mode: meters that went idle follow the wall clock; each is visited when its oldest open window closes. */
  function idleMeters(part: EnergyPartition, now: number): void {
    const wake = (key: string) => {
      const meter = part.meters.get(key);
      if (!meter) return;
      if (meter.idle(now, opts.idleMs)) {
        part.dirty.add(key);
        seal(part, meter, key);
      }
      const oldest = meter.energy.oldestOpenWindow();
      if (oldest === undefined) return;
      const due = meter.wallTimeAt(oldest + ENERGY_WINDOW_MS + opts.graceMs);
      part.idle.schedule(key, Math.max(due, now + 1), meter.lastActivity);
    };
    for (const key of part.idle.newlyIdle(now, opts.idleMs)) wake(key);
    for (const entry of part.idle.due(now)) {
      if (part.meters.get(entry.key)?.lastActivity === entry.activity) wake(entry.key);
    }
  }

  function reading(
    part: EnergyPartition,
    m: ConsumedMessage,
    ts: number,
    energyWh: number | null,
    powerW: number | null,
  ) {
    const key = m.streamId;
    const { tenant, entityId: meterId } = parseStreamId(key);
    const refuse = (kind: string, type: RefusalType, reason: string, detail: Record<string, unknown>) =>
      refusals.refuse(
        sourceOf(m),
        {
          tenant,
          kind,
          entityType: 'meter',
          entityId: meterId,
          eventTs: Number.isSafeInteger(ts) && ts >= 0 && ts <= MAX_EPOCH_MS ? ts : null,
          detail,
        },
        type,
        reason,
      );
    const invalid = (error: string, detail: Record<string, unknown>) =>
      refuse('invalid_reading', 'invalid', error, { error, ...detail });
    if (!Number.isSafeInteger(ts) || ts < 0 || ts > MAX_EPOCH_MS) {
      invalid('timestamp is not a whole epoch ms in years 0–9999', { ts, energyWh });
      return;
    }
    if (energyWh === null) {
      invalid('reading has no energyWh', { powerW });
      return;
    }
    const now = wall();
    part.clock.observe(part.input, ts, now);
    let meter = part.meters.get(key);
    if (!meter) {
      meter = newMeter(part.store, part.clock, key);
      part.meters.set(key, meter);
    }
    // A meter quiet for idleMs followed the wall clock meanwhile (what a tick would have done, or did).
    if (opts.mode === 'live') meter.idle(now, opts.idleMs);
    meter.observe(ts, now);
    if (opts.mode === 'live') part.idle.touch(key, now);
    seal(part, meter, key);
    meter.energy.expire(horizonOf(part));
    let outcome: ReturnType<typeof meter.energy.ingest>;
    try {
      outcome = meter.energy.ingest({ meterId, ts, energyWh, powerW });
    } catch (err) {
      if (!(err instanceof EnergyValueError)) throw err;
      invalid(err.message, { energyWh, powerW });
      part.dirty.add(key);
      return;
    }
    meter.touchedAt = part.clock.time;
    part.dirty.add(key);
    if (outcome.status === 'beyond_horizon') {
      const windowStart = isoTime(energyWindowStart(ts));
      const streamTime = isoTime(part.clock.time);
      refuse(
        'reading_beyond_horizon',
        'late',
        `the reading's window ${windowStart} is beyond the restatement horizon (stream time ${streamTime}, ` +
          `grace ${opts.graceMs} ms, restatable for ${restateForMs} ms)`,
        { windowStart, streamTime, graceMs: opts.graceMs, restateForMs, energyWh },
      );
    } else if (outcome.status === 'applied') {
      queue(part, meter, key, outcome.changed, true);
    }
  }

  function properties(m: ConsumedMessage, p: StreamPropertiesData): void {
    const { tenant, entityId: meterId } = parseStreamId(m.streamId);
    const input = {
      name: p.name ?? undefined,
      site: p.metadata[PropertyKeys.site],
      timezone: p.metadata[PropertyKeys.timezone],
    };
    const parsed = meterPropertiesSchema.safeParse(input);
    if (parsed.success) {
      const v = parsed.data;
      results.push({
        kind: 'meter',
        tenant,
        meterId,
        name: v.name ?? null,
        site: v.site ?? null,
        timezone: v.timezone ?? null,
      });
      return;
    }
    // Keep what is valid, clear what is not, and say so: one bad field must not lose the others.
    const bad = new Set(parsed.error.issues.map((i) => String(i.path[0])));
    const field = (name: 'name' | 'site' | 'timezone') => {
      const one = meterPropertiesSchema.shape[name].safeParse(input[name]);
      return !bad.has(name) && one.success ? (one.data ?? null) : null;
    };
    results.push({
      kind: 'meter',
      tenant,
      meterId,
      name: field('name'),
      site: field('site'),
      timezone: field('timezone'),
    });
    const errors = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    refusals.refuse(
      sourceOf(m),
      {
        tenant,
        kind: 'invalid_meter_properties',
        entityType: 'meter',
        entityId: meterId,
        eventTs: null,
        detail: { errors },
      },
      'invalid',
      `invalid fields stored as NULL: ${errors.join('; ')}`,
    );
  }

  return {
    states: [state],
    process(partition: number, messages: readonly ConsumedMessage[]): void {
      const part = partitions.get(partition);
      if (!part) return;
      for (const m of messages) {
        const msg = m.message;
        if (msg.kind === 'timeseries') {
          for (const row of msg.data.rows()) {
            reading(part, m, row.timestamp, row.numeric(MeterSeries.energyWh), row.numeric(MeterSeries.powerW));
          }
        } else if (msg.kind === 'properties') {
          properties(m, msg.properties);
        }
        // Event data (e.g. a tamper event) is not energy. Stream end (any type) changes nothing: windows of a
        // meter close by stream time like any other, so a reading within grace after a Closed still counts
        // (see README: stream end).
      }
      sweep(part);
      emitPending(part);
    },
    tick(now: number): void {
      if (opts.mode !== 'live') return;
      for (const part of partitions.values()) {
        idleMeters(part, now);
        // A partition that never saw a reading holds nothing to expire. Idling it would start its stream time at
        // the wall clock, and a backlog fetched after that (a new group, a slow first fetch) would be beyond it.
        if (part.clock.time !== Number.NEGATIVE_INFINITY && part.clock.idle(now, opts.idleMs)) sweep(part);
        emitPending(part);
      }
    },
    drain() {
      for (const part of partitions.values()) {
        for (const key of part.dirty) {
          const meter = part.meters.get(key);
          if (meter) part.store.set(key, meter.snapshot(), part.clock.time);
        }
        part.dirty.clear();
      }
      const drained = { results, outbox: [...outbox, ...refusals.drain()] };
      results = [];
      outbox = [];
      return drained;
    },
    async writeResults(client, all) {
      const meters: MeterPropertiesRow[] = [];
      const windows: EnergyWindowChange[] = [];
      const quality: DataQualityRow[] = [];
      for (const r of all) {
        if (r.kind === 'window') windows.push(r);
        else if (r.kind === 'meter') meters.push(r);
        else quality.push(r.row);
      }
      await writeMeters(client, meters);
      await writeEnergyWindows(client, windows);
      await writeDataQuality(client, quality);
    },
    streamTime: (p) => partitions.get(p)?.clock.time,
    meterTime: (p, streamId) => partitions.get(p)?.meters.get(streamId)?.time,
    meterCount: (p) => partitions.get(p)?.meters.size ?? 0,
    refused: refusals.counts,
  };
}

/** One meter's final segments in its hour entries of the partition's store (SEGMENT_SEPARATOR). */
function hourSegments(store: KeyedStore<EnergyStoreValue>, clock: PartitionClock, key: string): FinalSegments {
  const entryOf = (start: number) => `${key}${SEGMENT_SEPARATOR}${start - (start % BUCKET_MS)}`;
  const quarterOf = (start: number) => `${(start % BUCKET_MS) / ENERGY_WINDOW_MS}=`;
  const others = (start: number) => {
    const text = store.get(entryOf(start)) as string | undefined;
    return text ? text.split(' ').filter((part) => !part.startsWith(quarterOf(start))) : [];
  };
  const write = (start: number, parts: string[]) => {
    if (parts.length === 0) store.delete(entryOf(start));
    else store.set(entryOf(start), parts.sort().join(' '), clock.time);
  };
  return {
    get(start) {
      const text = store.get(entryOf(start)) as string | undefined;
      const q = quarterOf(start);
      const part = text?.split(' ').find((p) => p.startsWith(q));
      return part === undefined ? undefined : decodeSegment(start, part.slice(q.length));
    },
    set: (start, segment: FinalSegment) =>
      write(start, [...others(start), `${quarterOf(start)}${encodeSegment(start, segment)}`]),
    delete: (start) => write(start, others(start)),
  };
}

/**
 * The update event of one row change: the row in the table's column names, with its version and revision;
 * `restatement: true` when it rewrites a row already published as final.
 */
export function energyUpdate(
  tenant: string,
  meterId: string,
  row: EnergyWindowRow,
  version: number,
  revision = 0,
  restatement = false,
): MeterEnergyUpdate {
  return meterEnergyUpdate({ tenant, meterId, ...row, version, revision, restatement });
}

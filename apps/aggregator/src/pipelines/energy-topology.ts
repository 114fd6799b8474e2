import {
  MeterSeries,
  type MetricUpdate,
  meterPropertiesSchema,
  PropertyKeys,
  parseStreamId,
  Topics,
  UpdateTopics,
  updateId,
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
import { EnergyValueError, type EnergyWindowRow, energyWindowStart } from '../energy';
import { Refusals, type RefusalType, type RefusedSource } from './data-quality-dead-letter';
import { type DataQualityRow, writeDataQuality } from './data-quality-sql';
import { type EnergyWindowChange, type MeterPropertiesRow, writeEnergyWindows, writeMeters } from './energy-sql';
import { MeterState, type MeterStateSnapshot } from './meter-state';
import { isoTime, metricUpdateRecord } from './metric-update-record';

/** A meter without readings for this long (partition stream time) is evicted; see the README of this folder. */
export const METER_STATE_TTL_MS = 7 * 86_400_000;

/** Timestamps Postgres can hold and RFC 3339 can write (year 0–9999); anything else is an impossible reading. */
const MAX_EPOCH_MS = 253_402_300_799_999;

export interface EnergyTopologyOptions {
  graceMs: number;
  idleMs: number;
  mode: 'live' | 'replay';
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
  key: string;
  tenant: string;
  meterId: string;
  row: EnergyWindowRow;
}

/** Everything one assigned partition holds in memory. */
interface EnergyPartition {
  store: KeyedStore<MeterStateSnapshot>;
  meters: Map<string, MeterState>;
  /** Meters changed since the last drain: their snapshots go into the store then, not at every reading. */
  dirty: Set<string>;
  clock: PartitionClock;
  input: InputTime;
  /** The window boundary every meter was last sealed at; a full sweep runs only when it moves (every 15 min). */
  swept: number;
  pending: Map<string, PendingRow>;
}

export interface EnergyTopology extends Topology<EnergyResult> {
  /** Stream time of a partition (tests, metrics). */
  streamTime(partition: number): number | undefined;
  /** Meters held in memory on a partition. */
  meterCount(partition: number): number;
  /** Readings and properties refused since start (`late` = PRODUCT.md's late_events). */
  readonly refused: Readonly<Record<RefusalType, number>>;
}

/**
 * events.meters → meter_energy_15m, meters, data_quality_events and row updates on metrics.updates.
 *
 * Per meter a MeterEnergy (re-attribution within grace, exact mWh) and the versions of its open rows, in a
 * per-partition KeyedStore checkpointed through `keyedState`. Per partition a stream time (max reading ts;
 * in live mode it follows the wall clock while the partition is idle). Every reading is judged against the
 * stream time at its arrival, after its own ts counts: the meter is sealed at `streamTime − grace` first, so a
 * reading is late exactly when its window is final, whatever the batching. Rows changed in one batch (or tick)
 * get one new version each; a row that closes gets only its final version.
 */
export function energyTopology(opts: EnergyTopologyOptions): EnergyTopology {
  const updatesTopic = opts.updatesTopic ?? UpdateTopics.updates;
  const inputTopic = opts.inputTopic ?? Topics.meters;
  const ttlMs = opts.ttlMs ?? METER_STATE_TTL_MS;
  const wall = opts.clock ?? Date.now;
  const stores = new PartitionedStores<MeterStateSnapshot>();
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

  // The KeyedStore holds each meter's checkpointed snapshot; the live MeterState objects are rebuilt from it on
  // assignment. Stream time rides along in the store's meta row.
  const state: CheckpointedState = {
    name: meterStore.name,
    restore(p: number, stored: StoredState | undefined) {
      meterStore.restore(p, stored);
      const store = stores.get(p) as KeyedStore<MeterStateSnapshot>;
      const clock = new PartitionClock([p], wall());
      const input = clock.inputs[0];
      clock.resumeAt((stored?.meta as { streamTime?: number | null } | undefined)?.streamTime);
      const meters = new Map<string, MeterState>();
      for (const [key, value] of store.snapshot().entries) meters.set(key, new MeterState(value));
      partitions.set(p, {
        store,
        meters,
        dirty: new Set(),
        clock,
        input,
        swept: Number.NEGATIVE_INFINITY,
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
    for (const { meter, key, tenant, meterId, row } of part.pending.values()) {
      const version = meter.nextVersion(row);
      part.dirty.add(key);
      results.push({ kind: 'window', tenant, meterId, row, version });
      outbox.push(metricUpdateRecord(updatesTopic, energyUpdate(tenant, meterId, row, version)));
    }
    part.pending.clear();
  }

  function queue(part: EnergyPartition, meter: MeterState, key: string, rows: readonly EnergyWindowRow[]): void {
    if (rows.length === 0) return;
    const { tenant, entityId } = parseStreamId(key);
    for (const row of rows) {
      part.pending.set(`${key}\u0000${row.windowStart}`, { meter, key, tenant, meterId: entityId, row });
    }
  }

  /** Seals every meter when the window boundary moved; evicts meters quiet for the TTL (all their rows final). */
  function sweep(part: EnergyPartition): void {
    const sealedBefore = part.clock.time - opts.graceMs;
    if (!Number.isFinite(sealedBefore)) return;
    const boundary = energyWindowStart(sealedBefore);
    if (boundary <= part.swept) return;
    part.swept = boundary;
    for (const [key, meter] of part.meters) {
      queue(part, meter, key, meter.energy.seal(sealedBefore));
      if (meter.touchedAt <= part.clock.time - ttlMs && meter.energy.openRows().length === 0) {
        part.meters.delete(key);
        part.dirty.delete(key);
        part.store.delete(key);
      }
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
    part.clock.observe(part.input, ts, wall());
    let meter = part.meters.get(key);
    if (!meter) {
      meter = new MeterState();
      part.meters.set(key, meter);
    }
    const sealedBefore = part.clock.time - opts.graceMs;
    queue(part, meter, key, meter.energy.seal(sealedBefore));
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
    if (outcome.status === 'late') {
      const windowStart = isoTime(energyWindowStart(ts));
      const streamTime = isoTime(part.clock.time);
      refuse(
        'late_reading',
        'late',
        `the reading's window ${windowStart} is final (stream time ${streamTime}, grace ${opts.graceMs} ms)`,
        { windowStart, streamTime, graceMs: opts.graceMs, energyWh },
      );
    } else if (outcome.status === 'applied') {
      queue(part, meter, key, outcome.changed);
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
        // A partition that never saw a reading holds no windows to close. Idling it would start its stream time
        // at the wall clock, and a backlog fetched after that (a new group, a slow first fetch) would be all late.
        if (part.clock.time === Number.NEGATIVE_INFINITY) continue;
        if (!part.clock.idle(now, opts.idleMs)) continue;
        sweep(part);
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
    meterCount: (p) => partitions.get(p)?.meters.size ?? 0,
    refused: refusals.counts,
  };
}

/** The update event of one row change: the row in the table's column names, with its version. */
export function energyUpdate(tenant: string, meterId: string, row: EnergyWindowRow, version: number): MetricUpdate {
  return {
    id: updateId(tenant, 'meter_energy_15m', meterId, row.windowStart),
    kind: 'meter_energy_15m',
    tenant,
    version,
    row: {
      tenant,
      meter_id: meterId,
      window_start: isoTime(row.windowStart),
      window_end: isoTime(row.windowEnd),
      energy_mwh: row.energyMwh,
      readings: row.readings,
      max_power_w: row.maxPowerW,
      resets: row.resets,
      is_final: row.isFinal,
      version,
    },
  };
}

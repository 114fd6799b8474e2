import {
  DEFAULT_MAX_FUTURE_MS,
  DEFAULT_MAX_PAST_MS,
  MeterSeries,
  restatementHorizonMs,
  Topics,
  UpdateTopics,
} from '@switchboard/domain';
import { type ConsumedMessage, type OutboxRecord, type Topology, windowState } from '@switchboard/streams';
import type { PoolClient } from 'pg';
import { energyWindowStart } from '../../energy';
import { Refusals, type RefusalType, type RefusedSource } from '../data-quality-dead-letter';
import { type DataQualityRow, writeDataQuality } from '../data-quality-sql';
import { meterProperties } from './meter-properties';
import { Meters } from './meters';
import { Readings } from './readings';
import { type EnergyWindowChange, type MeterPropertiesRow, writeEnergyWindows, writeMeters } from './sql';
import { windowRowSink } from './window-rows';
import { energyWindows } from './windows';

/** A meter without readings for this long (partition stream time) is evicted; see the README of this folder. */
export const METER_STATE_TTL_MS = 7 * 86_400_000;

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

export interface EnergyTopology extends Topology<EnergyResult> {
  /** Stream time of a partition (tests, metrics). */
  streamTime(partition: number): number | undefined;
  /** The time that closes a meter's windows: its own (tests). */
  meterTime(partition: number, streamId: string): number | undefined;
  /** Meters held in memory on a partition. */
  meterCount(partition: number): number;
  /** Readings and properties refused since start (`late` = readings beyond the restatement horizon). */
  readonly refused: Readonly<Record<RefusalType, number>>;
}

/**
 * events.meters → meter_energy_15m, meters, data_quality_events and row updates on metrics.updates.
 *
 * Each reading goes through its meter's MeterEnergy (order, baseline, register deltas and resets) and becomes
 * signed contributions, which the streams engine windows (`energyWindows`: key-level closing, restatement until
 * the horizon, versions). A Kafka batch (or tick) is one engine batch: one version per changed row.
 */
export function energyTopology(opts: EnergyTopologyOptions): EnergyTopology {
  const updatesTopic = opts.updatesTopic ?? UpdateTopics.updates;
  const inputTopic = opts.inputTopic ?? Topics.meters;
  const ttlMs = opts.ttlMs ?? METER_STATE_TTL_MS;
  const restateForMs =
    opts.restateForMs ??
    restatementHorizonMs({ maxPastMs: DEFAULT_MAX_PAST_MS, maxFutureMs: DEFAULT_MAX_FUTURE_MS }, opts.graceMs);
  let results: EnergyResult[] = [];
  let outbox: OutboxRecord[] = [];
  const refusals = new Refusals((row) => results.push({ kind: 'data-quality', row }));
  const sink = windowRowSink(
    updatesTopic,
    (change) => results.push({ kind: 'window', ...change }),
    (record) => outbox.push(record),
  );
  const clock = opts.clock ?? Date.now;
  const engine = energyWindows({ ...opts, restateForMs, clock, sink });
  const meters = new Meters();
  const readings = new Readings({ graceMs: opts.graceMs, restateForMs }, engine, meters, refusals);
  const timeOf = (p: number) => engine.streamTime(p) ?? Number.NEGATIVE_INFINITY;
  /** Every 15 minutes of a partition's stream time: meters' readings expire at the horizon, quiet meters leave. */
  const sweep = (p: number) => {
    const time = timeOf(p);
    meters.sweep(p, energyWindowStart(time - opts.graceMs), time - opts.graceMs - restateForMs, time - ttlMs);
  };

  function message(m: ConsumedMessage): void {
    const source: RefusedSource = { topic: inputTopic, partition: m.partition, offset: m.offset, streamId: m.streamId };
    const msg = m.message;
    if (msg.kind === 'timeseries') {
      for (const row of msg.data.rows()) {
        const energyWh = row.numeric(MeterSeries.energyWh);
        readings.apply(source, m.partition, { ts: row.timestamp, energyWh, powerW: row.numeric(MeterSeries.powerW) });
      }
    } else if (msg.kind === 'properties') {
      results.push({ kind: 'meter', ...meterProperties(source, msg.properties, refusals) });
    }
    // Event data (e.g. a tamper event) is not energy. Stream end (any type) changes nothing: windows of a meter
    // close by its time like any other, so a reading within grace after a Closed still counts (README: stream end).
  }

  return {
    // The meters first: an old checkpoint fails there, with what to do, before the windows load.
    states: [meters.state, windowState('energy-windows', engine)],
    process(partition, messages) {
      if (!meters.has(partition)) return;
      engine.batch(() => {
        for (const m of messages) message(m);
      });
      sweep(partition);
    },
    tick(now) {
      if (opts.mode !== 'live') return;
      engine.tick(now);
      for (const p of engine.assigned()) sweep(p);
    },
    drain() {
      meters.flush(timeOf);
      const drained = { results, outbox: [...outbox, ...refusals.drain()] };
      results = [];
      outbox = [];
      return drained;
    },
    writeResults: writeEnergyResults,
    streamTime: (p) => (meters.has(p) ? (engine.streamTime(p) ?? undefined) : undefined),
    meterTime: (p, streamId) => (meters.has(p) ? (engine.closingTime(p, streamId) ?? undefined) : undefined),
    meterCount: (p) => meters.count(p),
    refused: refusals.counts,
  };
}

/** The results of a checkpoint, one batched statement per table. */
async function writeEnergyResults(client: PoolClient, all: readonly EnergyResult[]): Promise<void> {
  const windows: EnergyWindowChange[] = [];
  const rows: MeterPropertiesRow[] = [];
  const quality: DataQualityRow[] = [];
  for (const r of all) {
    if (r.kind === 'window') windows.push(r);
    else if (r.kind === 'meter') rows.push(r);
    else quality.push(r.row);
  }
  await writeMeters(client, rows);
  await writeEnergyWindows(client, windows);
  await writeDataQuality(client, quality);
}

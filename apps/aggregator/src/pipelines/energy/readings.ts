import { parseStreamId } from '@switchboard/domain';
import type { StreamRecord } from '@switchboard/streams';
import { EnergyValueError, energyWindowStart, type ReadingContribution, type ReadingOutcome } from '../../energy';
import type { Refusals, RefusalType, RefusedSource } from '../data-quality-dead-letter';
import { isoTime } from '../metric-update-record';
import type { Meters } from './meters';
import type { EnergyWindows } from './windows';

/** Timestamps Postgres can hold and RFC 3339 can write (year 0–9999); anything else is an impossible reading. */
const MAX_EPOCH_MS = 253_402_300_799_999;

export interface ReadingsOptions {
  graceMs: number;
  restateForMs: number;
}

/** One timeseries row of a meter, as decoded. */
export interface ReadingInput {
  ts: number;
  energyWh: number | null;
  powerW: number | null;
}

/**
 * Applies each reading of a meter: the meter (MeterEnergy) turns it into signed contributions, which go into the
 * engine's windows right away, so the next reading is judged against the time this one moved. Readings the meter
 * cannot use, or that are beyond the horizon, become refusals (data-quality row and dead letter).
 */
export class Readings {
  constructor(
    private readonly opts: ReadingsOptions,
    private readonly engine: EnergyWindows,
    private readonly meters: Meters,
    private readonly refusals: Refusals,
  ) {}

  apply(source: RefusedSource, partition: number, input: ReadingInput): void {
    const { ts, energyWh, powerW } = input;
    const refuse = new Refuse(this.refusals, source, ts);
    if (!Number.isSafeInteger(ts) || ts < 0 || ts > MAX_EPOCH_MS) {
      refuse.invalid('timestamp is not a whole epoch ms in years 0–9999', { ts, energyWh });
      return;
    }
    if (energyWh === null) {
      refuse.invalid('reading has no energyWh', { powerW });
      return;
    }
    const key = source.streamId;
    const meter = this.meters.meter(partition, key);
    const time = this.engine.streamTime(partition) ?? Number.NEGATIVE_INFINITY;
    meter.energy.expire(time - this.opts.graceMs - this.opts.restateForMs);
    let outcome: ReadingOutcome;
    try {
      outcome = meter.energy.ingest({ meterId: refuse.meterId, ts, energyWh, powerW });
    } catch (err) {
      if (!(err instanceof EnergyValueError)) throw err;
      refuse.invalid(err.message, { energyWh, powerW });
      return;
    }
    if (outcome.status === 'applied') this.engine.process(this.records(partition, source, outcome));
    meter.touchedAt = Math.max(meter.touchedAt, this.engine.streamTime(partition) ?? Number.NEGATIVE_INFINITY);
    if (outcome.status === 'beyond_horizon') this.beyondHorizon(refuse, ts, time, energyWh);
  }

  private records(partition: number, source: RefusedSource, outcome: ReadingOutcome) {
    const record = (c: ReadingContribution, retract: boolean): StreamRecord<ReadingContribution> => ({
      key: source.streamId,
      value: c,
      timestamp: c.ts,
      partition,
      offset: source.offset,
      ...(retract ? { retract } : {}),
    });
    const { retract, add } = outcome.corrections;
    return [...retract.map((c) => record(c, true)), ...add.map((c) => record(c, false))];
  }

  private beyondHorizon(refuse: Refuse, ts: number, time: number, energyWh: number): void {
    const { graceMs, restateForMs } = this.opts;
    const windowStart = isoTime(energyWindowStart(ts));
    const streamTime = isoTime(time);
    refuse.refuse(
      'reading_beyond_horizon',
      'late',
      `the reading's window ${windowStart} is beyond the restatement horizon (stream time ${streamTime}, ` +
        `grace ${graceMs} ms, restatable for ${restateForMs} ms)`,
      { windowStart, streamTime, graceMs, restateForMs, energyWh },
    );
  }
}

/** The refusals of one reading: a `meter` data-quality row with its event time when that is a possible one. */
class Refuse {
  readonly tenant: string;
  readonly meterId: string;

  constructor(
    private readonly refusals: Refusals,
    private readonly source: RefusedSource,
    private readonly ts: number,
  ) {
    ({ tenant: this.tenant, entityId: this.meterId } = parseStreamId(source.streamId));
  }

  invalid(error: string, detail: Record<string, unknown>): void {
    this.refuse('invalid_reading', 'invalid', error, { error, ...detail });
  }

  refuse(kind: string, type: RefusalType, reason: string, detail: Record<string, unknown>): void {
    const ts = this.ts;
    const eventTs = Number.isSafeInteger(ts) && ts >= 0 && ts <= MAX_EPOCH_MS ? ts : null;
    this.refusals.refuse(
      this.source,
      { tenant: this.tenant, kind, entityType: 'meter', entityId: this.meterId, eventTs, detail },
      type,
      reason,
    );
  }
}

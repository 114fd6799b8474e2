import { tumbling, WindowedAggregation, type WindowRow } from '@switchboard/streams';
import { ENERGY_WINDOW_MS, type EnergyColumns, type ReadingContribution } from './energy-window';
import { type EnergyAccumulator, energyWindowAggregator } from './energy-window-aggregator';
import { type EnergyWindowRow, MeterEnergy, type MeterEnergySnapshot, type MeterReading } from './meter-energy';
import { InMemoryBuckets } from './reading-buckets';

const KEY = 'm1';

/**
 * One meter as the pipeline runs it, without Kafka: MeterEnergy's corrections folded by the streams engine (15-minute
 * windows closed by the meter's own time − grace, kept for restatement). For specs of the energy model.
 */
export class MeterWindows {
  readonly buckets = new InMemoryBuckets();
  readonly meter: MeterEnergy;
  private readonly emitted: WindowRow<EnergyColumns>[] = [];
  private readonly latest = new Map<number, EnergyWindowRow>();
  private readonly engine: WindowedAggregation<ReadingContribution, EnergyAccumulator, EnergyColumns>;

  /** `graceMs` defaults to a day: windows stay open unless a spec lets the meter's time pass one. */
  constructor(opts: { graceMs?: number } = {}, snapshot?: MeterEnergySnapshot) {
    this.meter = new MeterEnergy(snapshot, this.buckets);
    this.engine = new WindowedAggregation({
      window: tumbling(ENERGY_WINDOW_MS),
      aggregator: energyWindowAggregator,
      grace: opts.graceMs ?? 86_400_000,
      restateForMs: 30 * 86_400_000,
      closeBy: 'key',
      mode: 'replay',
      sink: this.emitted,
    });
    this.engine.assign(0);
  }

  /**
   * Ingests `reading`. `changed`: the rows it changed (restated final rows included), oldest window first;
   * `closed`: the final rows of the windows its time closed.
   */
  ingest(reading: MeterReading) {
    const outcome = this.meter.ingest(reading);
    const records = [
      ...outcome.corrections.retract.map((c) => ({ key: KEY, value: c, timestamp: c.ts, partition: 0, retract: true })),
      ...outcome.corrections.add.map((c) => ({ key: KEY, value: c, timestamp: c.ts, partition: 0 })),
    ];
    this.engine.process(records);
    const closes = this.emitted.map((w) => w.final && !w.restated);
    const rows = this.take();
    const changed = rows.filter((_, i) => !closes[i]).sort((a, b) => a.windowStart - b.windowStart);
    return { ...outcome, changed, closed: rows.filter((_, i) => closes[i]) };
  }

  /** Closes every open window now (the meter's stream end); returns their final rows. */
  closeAll(): EnergyWindowRow[] {
    this.engine.closeKey(0, KEY);
    return this.take();
  }

  /** Current values of the open windows, oldest first. */
  openRows(): EnergyWindowRow[] {
    return this.rows().filter((r) => !r.isFinal);
  }

  /** Starts of the final windows, oldest first. */
  finals(): number[] {
    return this.rows()
      .filter((r) => r.isFinal)
      .map((r) => r.windowStart);
  }

  private take(): EnergyWindowRow[] {
    const rows = this.emitted
      .splice(0)
      .map(
        (w): EnergyWindowRow => ({ windowStart: w.windowStart, windowEnd: w.windowEnd, isFinal: w.final, ...w.value }),
      );
    for (const r of rows) this.latest.set(r.windowStart, r);
    return rows;
  }

  private rows(): EnergyWindowRow[] {
    return [...this.latest.values()].sort((a, b) => a.windowStart - b.windowStart);
  }
}

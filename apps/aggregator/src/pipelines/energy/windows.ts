import { type Sink, type TimeMode, tumbling, WindowedAggregation, type WindowRow } from '@switchboard/streams';
import {
  ENERGY_WINDOW_MS,
  type EnergyAccumulator,
  type EnergyColumns,
  EnergyHorizonError,
  energyWindowAggregator,
  type ReadingContribution,
} from '../../energy';

export type EnergyWindows = WindowedAggregation<ReadingContribution, EnergyAccumulator, EnergyColumns>;

export interface EnergyWindowsOptions {
  graceMs: number;
  idleMs: number;
  restateForMs: number;
  mode: TimeMode;
  clock: () => number;
  sink: Sink<WindowRow<EnergyColumns>>;
}

/**
 * `meter_energy_15m` on the streams engine: 15-minute windows of the meters' signed contributions, keyed by stream
 * id (tenant/meter), each closed by its meter's own time (`closeBy: 'key'`: another meter's clock never makes a
 * reading late), kept closed and restated until the horizon. Versions, revisions and `is_final` are the engine's.
 */
export function energyWindows(opts: EnergyWindowsOptions): EnergyWindows {
  return new WindowedAggregation({
    window: tumbling(ENERGY_WINDOW_MS),
    aggregator: energyWindowAggregator,
    grace: opts.graceMs,
    restateForMs: opts.restateForMs,
    closeBy: 'key',
    idleMs: opts.idleMs,
    mode: opts.mode,
    clock: opts.clock,
    sink: opts.sink,
    // The meter refuses a reading beyond its horizon before any contribution is made; the engine's horizon is never
    // ahead of it (both are partition time − grace − restateForMs), so a late contribution is a defect.
    onLate: (late) => {
      throw new EnergyHorizonError('the windowing engine refused a contribution of an accepted reading as late', {
        key: late.record.key,
        ts: late.record.timestamp,
        streamTime: late.streamTime,
      });
    },
  });
}

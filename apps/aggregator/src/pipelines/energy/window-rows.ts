import { type MeterEnergyUpdate, meterEnergyUpdate, parseStreamId } from '@switchboard/domain';
import type { OutboxRecord, Sink, WindowRow } from '@switchboard/streams';
import type { EnergyColumns, EnergyWindowRow } from '../../energy';
import { metricUpdateRecord } from '../metric-update-record';
import type { EnergyWindowChange } from './sql';

/**
 * The engine's window rows as `meter_energy_15m` changes (`changes`) and update events on `updatesTopic`
 * (`outbox`): the engine's version and revision are the row's, and a restated row's update says so.
 */
export function windowRowSink(
  updatesTopic: string,
  changes: (change: EnergyWindowChange) => void,
  outbox: (record: OutboxRecord) => void,
): Sink<WindowRow<EnergyColumns>> {
  return {
    push(w) {
      const { tenant, entityId: meterId } = parseStreamId(w.key);
      const row: EnergyWindowRow = { windowStart: w.windowStart, windowEnd: w.windowEnd, isFinal: w.final, ...w.value };
      changes({ tenant, meterId, row, version: w.version, revision: w.revision });
      outbox(metricUpdateRecord(updatesTopic, energyUpdate(tenant, meterId, row, w.version, w.revision, w.restated)));
    },
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

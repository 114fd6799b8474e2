import { z } from 'zod';
import { type MetricUpdate, updateId } from '../updates';
import { count, entityId, isoOf, isoTime, rowVersion } from './fields';

/**
 * `meter_energy_15m`: one meter's 15-minute window (PRODUCT.md "Energy"; energy in integer mWh), with `revision`
 * (restatements of the final row so far). Id `<tenant>/meter_energy_15m/<meter>/<window start ms>`.
 */
export const meterEnergy15mRowSchema = z.object({
  tenant: entityId,
  meter_id: entityId,
  window_start: isoTime,
  window_end: isoTime,
  energy_mwh: count,
  readings: count,
  max_power_w: z.number().min(0).nullable(),
  resets: count,
  is_final: z.boolean(),
  version: rowVersion,
  /** Absent in rows published before restatements existed: those are revision 0 (the column's default). */
  revision: count.default(0),
});
export type MeterEnergy15mRow = z.infer<typeof meterEnergy15mRowSchema>;
export type MeterEnergyUpdate = MetricUpdate<MeterEnergy15mRow> & { kind: 'meter_energy_15m' };

export interface MeterEnergyWindow {
  readonly tenant: string;
  readonly meterId: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly energyMwh: number;
  readonly readings: number;
  readonly maxPowerW: number | null;
  readonly resets: number;
  readonly isFinal: boolean;
  readonly version: number;
  readonly revision: number;
  /** This change rewrites a window already final (a late reading restated it). */
  readonly restatement?: boolean;
}

export function meterEnergyUpdate(w: MeterEnergyWindow): MeterEnergyUpdate {
  return {
    id: updateId(w.tenant, 'meter_energy_15m', w.meterId, w.windowStart),
    kind: 'meter_energy_15m',
    tenant: w.tenant,
    version: w.version,
    row: {
      tenant: w.tenant,
      meter_id: w.meterId,
      window_start: isoOf(w.windowStart),
      window_end: isoOf(w.windowEnd),
      energy_mwh: w.energyMwh,
      readings: w.readings,
      max_power_w: w.maxPowerW,
      resets: w.resets,
      is_final: w.isFinal,
      version: w.version,
      revision: w.revision,
    },
    ...(w.restatement ? { restatement: true } : {}),
  };
}

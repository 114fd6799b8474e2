import { z } from 'zod';
import { commonFields, energyWh, entityId, powerW } from './fields';

/** A meter's cumulative register (Wh, ≤ 3 decimals) and, optionally, its instantaneous power. */
export const meterReadingSchema = z.object({
  type: z.literal('meter.reading'),
  ...commonFields,
  meterId: entityId,
  energyWh,
  powerW: powerW.optional(),
});
export type MeterReading = z.output<typeof meterReadingSchema>;

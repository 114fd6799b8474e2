import { EnergyQueryError } from '@switchboard/billing';
import { ID_PATTERN } from '@switchboard/domain';
import { parseTimeRange } from '../http/time-range';

/** A data-quality read covers at most this many days; it answers the newest `DATA_QUALITY_MAX_ROWS` events. */
export const DATA_QUALITY_MAX_DAYS = 7;
export const DATA_QUALITY_MAX_ROWS = 200;

export interface DataQualityQuery {
  tenant: string;
  meterId: string;
  /** Epoch ms: events recorded in [from, to). */
  from: number;
  to: number;
}

/** Validates a meter's data-quality read with the billing API's codes (invalid_id, invalid_time, …). */
export function parseDataQualityQuery(input: {
  tenant: string;
  meterId: unknown;
  from: unknown;
  to: unknown;
}): DataQualityQuery {
  if (typeof input.meterId !== 'string' || !ID_PATTERN.test(input.meterId)) {
    throw new EnergyQueryError('invalid_id', 'meter id must be 1–64 characters of A-Z a-z 0-9 . _ : -');
  }
  const range = parseTimeRange(input.from, input.to, {
    what: 'a data-quality request',
    maxDays: DATA_QUALITY_MAX_DAYS,
  });
  return { tenant: input.tenant, meterId: input.meterId, ...range };
}

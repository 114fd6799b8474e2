import { EnergyQueryError } from '@switchboard/billing';
import { ID_PATTERN } from '@switchboard/domain';
import { parseTimeRange } from '../http/time-range';

const MINUTE_MS = 60_000;
/** One request covers at most this many days of 1-minute windows: ≤ 10,080 rows. */
export const QUEUE_STATS_MAX_DAYS = 7;

export interface QueueStatsQuery {
  tenant: string;
  queue: string;
  /** Epoch ms, whole minutes; windows whose start lies in [from, to). */
  from: number;
  to: number;
}

/**
 * Validates a queue statistics request with the billing API's rules and codes (`EnergyQueryError`: invalid_id,
 * invalid_time, invalid_range, unaligned_range, range_too_long), so a client handles both the same way: whole
 * minutes (UTC), at most 7 days. Messages are one sentence and never repeat the input.
 */
export function parseQueueStatsQuery(input: {
  tenant: string;
  queue: unknown;
  from: unknown;
  to: unknown;
}): QueueStatsQuery {
  if (typeof input.queue !== 'string' || !ID_PATTERN.test(input.queue)) {
    throw new EnergyQueryError('invalid_id', 'queue must be 1–64 characters of A-Z a-z 0-9 . _ : -');
  }
  const range = parseTimeRange(input.from, input.to, {
    what: 'a queue statistics request',
    maxDays: QUEUE_STATS_MAX_DAYS,
    align: { ms: MINUTE_MS, unit: 'minute' },
  });
  return { tenant: input.tenant, queue: input.queue, ...range };
}

import { EnergyQueryError } from '@switchboard/billing';
import { ID_PATTERN, parseRfc3339 } from '@switchboard/domain';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** One request covers at most this many days of 1-minute windows: ≤ 10,080 rows. */
export const QUEUE_STATS_MAX_DAYS = 7;
// Year 0 … 9999, as RFC 3339 allows.
const MAX_EPOCH_MS = 253_402_300_799_999;
const TIME_RULE = 'must be epoch milliseconds or an RFC 3339 date-time such as 2026-10-25T00:00:00Z';

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
  const from = instant('from', input.from);
  const to = instant('to', input.to);
  if (from >= to) throw new EnergyQueryError('invalid_range', 'from must be before to', { from, to });
  const days = (to - from) / DAY_MS;
  if (days > QUEUE_STATS_MAX_DAYS) {
    throw new EnergyQueryError(
      'range_too_long',
      `a queue statistics request covers at most ${QUEUE_STATS_MAX_DAYS} days, this one ${Number(days.toFixed(2))}: split it`,
    );
  }
  for (const [name, ms] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (ms % MINUTE_MS === 0) continue;
    const below = ms - (ms % MINUTE_MS);
    throw new EnergyQueryError(
      'unaligned_range',
      `${name} must be a whole minute (UTC); the nearest are ${new Date(below).toISOString()} and ${new Date(below + MINUTE_MS).toISOString()}`,
    );
  }
  return { tenant: input.tenant, queue: input.queue, from, to };
}

function instant(name: string, v: unknown): number {
  const ms =
    typeof v !== 'string' ? undefined : /^\d{1,15}$/.test(v) ? Number(v) : v.length <= 64 ? parseRfc3339(v) : undefined;
  if (ms === undefined || !Number.isSafeInteger(ms) || ms < 0 || ms > MAX_EPOCH_MS) {
    throw new EnergyQueryError('invalid_time', `${name} ${TIME_RULE}`, { field: name });
  }
  return ms;
}

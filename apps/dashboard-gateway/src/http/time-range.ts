import { EnergyQueryError } from '@switchboard/billing';
import { parseRfc3339 } from '@switchboard/domain';

const DAY_MS = 86_400_000;
// Year 0 … 9999, as RFC 3339 allows.
const MAX_EPOCH_MS = 253_402_300_799_999;
const TIME_RULE = 'must be epoch milliseconds or an RFC 3339 date-time such as 2026-10-25T00:00:00Z';

export interface TimeRangeRules {
  /** What the request reads, for the sentence of a range too long ("a queue statistics request"). */
  what: string;
  maxDays: number;
  /** from and to must be multiples of this (UTC); named `unit` in the sentence. */
  align?: { ms: number; unit: string };
}

/**
 * `[from, to)` of a read, with the billing API's rules and codes (`EnergyQueryError`: invalid_time, invalid_range,
 * unaligned_range, range_too_long), so a client handles every read the same way. Messages are one sentence and
 * never repeat the input.
 */
export function parseTimeRange(
  fromInput: unknown,
  toInput: unknown,
  rules: TimeRangeRules,
): { from: number; to: number } {
  const from = instant('from', fromInput);
  const to = instant('to', toInput);
  if (from >= to) throw new EnergyQueryError('invalid_range', 'from must be before to', { from, to });
  const days = (to - from) / DAY_MS;
  if (days > rules.maxDays) {
    throw new EnergyQueryError(
      'range_too_long',
      `${rules.what} covers at most ${rules.maxDays} days, this one ${Number(days.toFixed(2))}: split it`,
    );
  }
  const align = rules.align;
  if (align) {
    for (const [name, ms] of [
      ['from', from],
      ['to', to],
    ] as const) {
      if (ms % align.ms === 0) continue;
      const below = ms - (ms % align.ms);
      throw new EnergyQueryError(
        'unaligned_range',
        `${name} must be a whole ${align.unit} (UTC); the nearest are ${new Date(below).toISOString()} and ${new Date(below + align.ms).toISOString()}`,
      );
    }
  }
  return { from, to };
}

function instant(name: string, v: unknown): number {
  const ms =
    typeof v !== 'string' ? undefined : /^\d{1,15}$/.test(v) ? Number(v) : v.length <= 64 ? parseRfc3339(v) : undefined;
  if (ms === undefined || !Number.isSafeInteger(ms) || ms < 0 || ms > MAX_EPOCH_MS) {
    throw new EnergyQueryError('invalid_time', `${name} ${TIME_RULE}`, { field: name });
  }
  return ms;
}

import { ID_PATTERN, parseRfc3339 } from '@switchboard/domain';
import { z } from 'zod';
import { EnergyQueryError, type EnergyQueryErrorCode } from './errors';

export const ENERGY_INTERVALS = ['15m', '1h', '1d'] as const;
export type EnergyInterval = (typeof ENERGY_INTERVALS)[number];

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * Per interval: the step `from` and `to` must be multiples of (UTC; days need none, they are the meter's local days)
 * and the longest range one request may cover. A calendar month, quarter or year fits in any time zone, a
 * daylight-saving change included; per meter that is at most 3,072 quarter hours, 2,232 hours or 367 days.
 */
export const ENERGY_QUERY_LIMITS: Record<EnergyInterval, { alignMs?: number; alignName?: string; maxDays: number }> = {
  '15m': { alignMs: 15 * MINUTE_MS, alignName: 'a whole quarter hour (UTC)', maxDays: 32 },
  '1h': { alignMs: 60 * MINUTE_MS, alignName: 'a whole hour (UTC)', maxDays: 93 },
  '1d': { maxDays: 367 },
};

/** A valid request for interval energy: `from` inclusive, `to` exclusive, epoch ms. */
export interface EnergyQuery {
  tenant: string;
  /** One meter, or every meter of the tenant. */
  meterId?: string;
  from: number;
  to: number;
  interval: EnergyInterval;
}

/** What a caller passes: CLI flags or HTTP query parameters (strings), or numbers for the times. */
export interface EnergyQueryInput {
  tenant?: unknown;
  meterId?: unknown;
  from?: unknown;
  to?: unknown;
  interval?: unknown;
}

// Year 0 … 9999, as RFC 3339 allows.
const MAX_EPOCH_MS = 253_402_300_799_999;
const ID_RULE = 'must be 1–64 characters of A-Z a-z 0-9 . _ : -';
const TIME_RULE = 'must be epoch milliseconds or an RFC 3339 date-time such as 2026-10-25T00:00:00Z';

const id = z.string({ error: ID_RULE }).regex(ID_PATTERN, { error: ID_RULE });

const instant = z.union([z.number(), z.string()], { error: TIME_RULE }).transform((v, ctx) => {
  const ms = typeof v === 'number' ? v : /^\d{1,15}$/.test(v) ? Number(v) : parseRfc3339(v);
  if (ms === undefined || !Number.isSafeInteger(ms) || ms < 0 || ms > MAX_EPOCH_MS) {
    ctx.addIssue({ code: 'custom', message: TIME_RULE });
    return z.NEVER;
  }
  return ms;
});

const schema = z.object({
  tenant: id,
  meterId: id.optional(),
  from: instant,
  to: instant,
  interval: z.enum(ENERGY_INTERVALS, { error: 'must be 15m, 1h or 1d' }).default('1d'),
});

const FIELDS: Record<string, { label: string; code: EnergyQueryErrorCode }> = {
  tenant: { label: 'tenant', code: 'invalid_id' },
  meterId: { label: 'meter id', code: 'invalid_id' },
  from: { label: 'from', code: 'invalid_time' },
  to: { label: 'to', code: 'invalid_time' },
  interval: { label: 'interval', code: 'invalid_interval' },
};

/**
 * Validates a request for interval energy, or throws an `EnergyQueryError` whose message is one sentence that
 * never repeats the input. `interval` defaults to `1d`; 15m and 1h ranges are aligned to their step; for 1d,
 * the days returned are those whose local start lies in [from, to).
 */
export function parseEnergyQuery(input: EnergyQueryInput): EnergyQuery {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = FIELDS[String(issue.path[0])];
    if (!field) throw new EnergyQueryError('invalid_range', 'a request needs tenant, from and to');
    throw new EnergyQueryError(field.code, `${field.label} ${issue.message}`, { field: issue.path[0] });
  }
  const q = parsed.data;
  if (q.from >= q.to) throw new EnergyQueryError('invalid_range', 'from must be before to', { from: q.from, to: q.to });
  const limits = ENERGY_QUERY_LIMITS[q.interval];
  const days = (q.to - q.from) / DAY_MS;
  if (days > limits.maxDays) {
    throw new EnergyQueryError(
      'range_too_long',
      `a ${q.interval} request covers at most ${limits.maxDays} days, this one ${Number(days.toFixed(2))}: split it`,
      { from: q.from, to: q.to, interval: q.interval },
    );
  }
  if (limits.alignMs !== undefined) {
    for (const [name, ms] of [
      ['from', q.from],
      ['to', q.to],
    ] as const) {
      if (ms % limits.alignMs === 0) continue;
      const below = ms - (ms % limits.alignMs);
      throw new EnergyQueryError(
        'unaligned_range',
        `${name} must be ${limits.alignName} for interval ${q.interval}; the nearest are ` +
          `${new Date(below).toISOString()} and ${new Date(below + limits.alignMs).toISOString()}`,
        { [name]: ms, interval: q.interval },
      );
    }
  }
  const query: EnergyQuery = { tenant: q.tenant, from: q.from, to: q.to, interval: q.interval };
  if (q.meterId !== undefined) query.meterId = q.meterId;
  return query;
}

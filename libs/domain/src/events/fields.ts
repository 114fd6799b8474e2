import { z } from 'zod';

/** Ids of entities and tenants: the charset leaves '/' free as the stream-id separator. */
export const ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
/** The integrator's optional event id: same charset, a little longer (it often embeds a source name). */
export const EVENT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export const entityId = z
  .string({ error: 'must be a string' })
  .regex(ID_PATTERN, { error: 'must be 1–64 characters of A-Z a-z 0-9 . _ : -' });

export const eventId = z
  .string({ error: 'must be a string' })
  .regex(EVENT_ID_PATTERN, { error: 'must be 1–128 characters of A-Z a-z 0-9 . _ : -' });

// RFC 3339 date-time: a full date, 'T' (or space, as RFC 3339 allows), time, optional fraction, zone.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
// Year 0 … 9999: anything beyond cannot be an RFC 3339 instant anyway.
const MAX_EPOCH_MS = 253_402_300_799_999;

/** Parses an RFC 3339 string to epoch ms, or undefined when it is not a valid instant. */
export function parseRfc3339(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  // Date.parse rolls 2024-02-30 over into March; a calendar check refuses it instead.
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return undefined;
  if (h > 23 || mi > 59 || s > 60) return undefined;
  const ms = Date.parse(text.replace(' ', 'T'));
  return Number.isFinite(ms) ? Math.floor(ms) : undefined;
}

/** `ts`: epoch milliseconds (an integer) or an RFC 3339 string; normalised to epoch ms. */
export const timestamp = z
  .union([z.number(), z.string()], { error: 'must be epoch ms or an RFC 3339 string' })
  .transform((v, ctx) => {
    if (typeof v === 'number') {
      if (!Number.isInteger(v) || v < 0 || v > MAX_EPOCH_MS) {
        ctx.addIssue({ code: 'custom', message: 'must be a whole number of epoch milliseconds' });
        return z.NEVER;
      }
      return v;
    }
    const ms = parseRfc3339(v);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must be an RFC 3339 date-time such as 2025-01-31T12:00:00Z' });
      return z.NEVER;
    }
    return ms;
  });

/** Energy registers are stored as integer milliwatt-hours, so a reading may have at most 3 decimals. */
export const energyWh = z
  .number({ error: 'must be a number' })
  .min(0, { error: 'must be ≥ 0' })
  .max(Number.MAX_SAFE_INTEGER / 1000, { error: 'is too large' })
  .transform((v, ctx) => {
    const mWh = Math.round(v * 1000);
    // Tolerate binary floating-point noise (1234.567 * 1000 = 1234567.0000000002), not a 4th decimal.
    if (Math.abs(v * 1000 - mWh) > 1e-6 * Math.max(1, Math.abs(mWh))) {
      ctx.addIssue({ code: 'custom', message: 'must have at most 3 decimals' });
      return z.NEVER;
    }
    return mWh / 1000;
  });

export const powerW = z.number({ error: 'must be a number' }).refine(Number.isFinite, { error: 'must be finite' });

/** Fields every event has besides its type. Unknown fields are dropped (zod's default `strip`). */
export const commonFields = {
  ts: timestamp,
  id: eventId.optional(),
};

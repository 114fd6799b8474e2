/**
 * Local days of a meter's time zone, in TypeScript, agreeing with the SQL views (`meter_energy_daily`) for
 * callers that need the bounds before any row exists (billing REST `from`/`to`, expected window counts).
 * A daylight-saving day is 23 h or 25 h long, so it has 92 or 100 quarter hours instead of 96.
 */

export const QUARTER_HOUR_MS = 15 * 60_000;

export interface LocalDayBounds {
  /** Local midnight as an instant, epoch ms (inclusive). */
  readonly start: number;
  /** The next local midnight, epoch ms (exclusive). */
  readonly end: number;
  /** Quarter hours in the day: 96, or 92 / 100 on daylight-saving days. */
  readonly quarterHours: number;
}

export class LocalDayError extends Error {
  override readonly name = 'LocalDayError';

  constructor(
    message: string,
    readonly context: Readonly<Record<string, string>>,
  ) {
    super(
      `${message} (${Object.entries(context)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')})`,
    );
  }
}

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Bounds of the local day `localDate` (YYYY-MM-DD) in `timeZone` (IANA name, e.g. Europe/London). */
export function localDayBounds(localDate: string, timeZone: string): LocalDayBounds {
  const match = LOCAL_DATE.exec(localDate);
  if (!match) throw new LocalDayError('localDate must be YYYY-MM-DD', { localDate });
  const [y, m, d] = match.slice(1).map(Number);
  const start = localMidnight(Date.UTC(y, m - 1, d), timeZone);
  const end = localMidnight(Date.UTC(y, m - 1, d + 1), timeZone);
  return { start, end, quarterHours: Math.round((end - start) / QUARTER_HOUR_MS) };
}

/** The local date (YYYY-MM-DD) of an instant in `timeZone`: the day whose rollup row includes it. */
export function localDateOf(ts: number, timeZone: string): string {
  return new Date(ts + offsetAt(ts, timeZone)).toISOString().slice(0, 10);
}

/** The UTC offset (ms, local − UTC) of `timeZone` at instant `ts`. */
export function offsetAt(ts: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(ts));
  const field = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const wallClockAsUtc = Date.UTC(
    field('year'),
    field('month') - 1,
    field('day'),
    field('hour') % 24,
    field('minute'),
    field('second'),
  );
  return wallClockAsUtc - (ts - (((ts % 1000) + 1000) % 1000));
}

/**
 * The instant of local midnight whose wall-clock date is `utcMidnightOfDate`'s. Two rounds of offset correction
 * settle on the offset valid at that midnight (the second round matters when the offset changes that night).
 */
function localMidnight(utcMidnightOfDate: number, timeZone: string): number {
  const first = utcMidnightOfDate - offsetAt(utcMidnightOfDate, timeZone);
  return utcMidnightOfDate - offsetAt(first, timeZone);
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      throw new LocalDayError('unknown time zone', { timeZone });
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

import { type EnergyRow, exactMwh } from './energy-intervals';

export const ENERGY_CSV_COLUMNS = [
  'meter_id',
  'interval_start',
  'interval_end',
  'timezone',
  'energy_wh',
  'energy_mwh',
  'readings',
  'max_power_w',
  'resets',
  'complete',
  'revision',
] as const;

/**
 * Milliwatt-hours as watt-hours with exactly 3 decimals, by integer arithmetic on the digits (any size):
 * 0 → "0.000", 1 → "0.001", 123456789012345678 → "123456789012345.678". A negative or non-integer value is
 * refused with an `EnergyValueError`.
 */
export function mwhToWh(mwh: string | bigint): string {
  const digits = exactMwh(mwh).padStart(4, '0');
  return `${digits.slice(0, -3)}.${digits.slice(-3)}`;
}

/** One CSV field (RFC 4180): quoted, with quotes doubled, when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * The rows as CSV (RFC 4180): a header row, CRLF after every record, columns `ENERGY_CSV_COLUMNS`. Energy is
 * given twice, exactly: `energy_wh` with 3 decimals and `energy_mwh` as an integer. Empty `timezone` (15m) and
 * `max_power_w` (no power reported) mean none. `revision` (last) says which restatement the figures are.
 */
export function energyCsv(rows: readonly EnergyRow[]): string {
  const lines = [ENERGY_CSV_COLUMNS.join(',')];
  for (const r of rows) {
    const mwh = exactMwh(r.energyMwh, r.meterId);
    lines.push(
      [
        r.meterId,
        r.start,
        r.end,
        r.timezone ?? '',
        mwhToWh(mwh),
        mwh,
        String(r.readings),
        r.maxPowerW === null ? '' : String(r.maxPowerW),
        String(r.resets),
        String(r.complete),
        String(r.revision),
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

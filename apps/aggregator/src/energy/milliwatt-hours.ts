import { EnergyValueError } from './energy-errors';

const DECIMAL = /^(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Converts a register value in Wh (≥ 0, at most 3 decimals) to integer milliwatt-hours without floating-point
 * arithmetic: the value's shortest decimal text (what JSON carried) is shifted by three digits as a string, so
 * 1234.567 becomes exactly 1234567. Throws EnergyValueError for negatives, more than 3 decimals, or values beyond
 * 2^53 mWh (≈ 9 TWh, far above any meter register).
 */
export function energyWhToMwh(energyWh: number | string): number {
  if (typeof energyWh === 'number' && !Number.isFinite(energyWh)) {
    throw new EnergyValueError('energyWh must be a finite number', { energyWh: String(energyWh) });
  }
  const text = typeof energyWh === 'number' ? String(energyWh) : energyWh.trim();
  const match = DECIMAL.exec(text);
  if (!match) throw new EnergyValueError('energyWh must be a non-negative decimal number', { energyWh: text });
  const [, whole, fraction = '', exponent = '0'] = match;
  // value = digits × 10^(shift − 3) Wh = digits × 10^shift mWh
  const digits = BigInt(`${whole}${fraction}`);
  const shift = Number(exponent) - fraction.length + 3;
  const mwh = shift >= 0 ? digits * 10n ** BigInt(shift) : divideExactly(digits, 10n ** BigInt(-shift), text);
  if (mwh > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new EnergyValueError('energyWh is too large to count exactly in mWh', { energyWh: text });
  }
  return Number(mwh);
}

/** Milliwatt-hours back to a Wh decimal string with 3 decimals (for messages and CSV, never for sums). */
export function mwhToWhText(mwh: number): string {
  const sign = mwh < 0 ? '-' : '';
  const abs = Math.abs(mwh);
  return `${sign}${Math.trunc(abs / 1000)}.${String(abs % 1000).padStart(3, '0')}`;
}

function divideExactly(digits: bigint, divisor: bigint, text: string): bigint {
  if (digits % divisor !== 0n) {
    throw new EnergyValueError('energyWh has more than 3 decimals (the register resolution is 1 mWh)', {
      energyWh: text,
    });
  }
  return digits / divisor;
}

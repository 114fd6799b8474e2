import { type EnergyQueryInput, parseEnergyQuery } from './energy-query';
import { EnergyQueryError } from './errors';

function refusal(input: EnergyQueryInput): { code: string; message: string } {
  try {
    parseEnergyQuery(input);
  } catch (err) {
    expect(err).toBeInstanceOf(EnergyQueryError);
    const e = err as EnergyQueryError;
    return { code: e.code, message: e.message };
  }
  throw new Error('expected a refusal');
}

const day = { tenant: 'acme', from: '2026-10-25T00:00:00Z', to: '2026-10-26T00:00:00Z' };

describe('parseEnergyQuery', () => {
  it('accepts epoch ms (number or digits) and RFC 3339 with offsets, and defaults the interval to 1d', () => {
    expect(parseEnergyQuery({ tenant: 'acme', from: '2026-10-25T00:00:00+01:00', to: 1793059200000 })).toEqual({
      tenant: 'acme',
      from: Date.UTC(2026, 9, 24, 23),
      to: Date.UTC(2026, 9, 27),
      interval: '1d',
    });
    expect(parseEnergyQuery({ ...day, from: '1792886400000', meterId: 'm-1.a:b_c', interval: '15m' })).toEqual({
      tenant: 'acme',
      meterId: 'm-1.a:b_c',
      from: Date.UTC(2026, 9, 25),
      to: Date.UTC(2026, 9, 26),
      interval: '15m',
    });
  });

  it('takes 1d ranges at any instant: the days are the meter’s local days starting in [from, to)', () => {
    expect(parseEnergyQuery({ ...day, from: '2026-10-24T23:00:00.5Z' }).from).toBe(Date.UTC(2026, 9, 24, 23) + 500);
  });

  it.each<[EnergyQueryInput, string, string]>([
    [{ ...day, tenant: undefined }, 'invalid_id', 'tenant must be 1–64 characters of A-Z a-z 0-9 . _ : -'],
    [{ ...day, tenant: "x'; DROP TABLE meters; --" }, 'invalid_id', 'tenant must be 1–64'],
    [{ ...day, tenant: 'a'.repeat(65) }, 'invalid_id', 'tenant must be 1–64'],
    [{ ...day, tenant: 'acme\n' }, 'invalid_id', 'tenant must be 1–64'],
    [{ ...day, tenant: ['acme'] }, 'invalid_id', 'tenant must be 1–64'],
    [{ ...day, meterId: 'm/1' }, 'invalid_id', 'meter id must be 1–64'],
    [{ ...day, meterId: '' }, 'invalid_id', 'meter id must be 1–64'],
    [{ ...day, meterId: 'mètre' }, 'invalid_id', 'meter id must be 1–64'],
    [{ ...day, from: undefined }, 'invalid_time', 'from must be epoch milliseconds or an RFC 3339 date-time'],
    [{ ...day, from: 'yesterday' }, 'invalid_time', 'from must be epoch'],
    [{ ...day, from: '2026-02-30T00:00:00Z' }, 'invalid_time', 'from must be epoch'],
    [{ ...day, to: '2026-10-26' }, 'invalid_time', 'to must be epoch'],
    [{ ...day, to: '-1' }, 'invalid_time', 'to must be epoch'],
    [{ ...day, to: 1.5 }, 'invalid_time', 'to must be epoch'],
    [{ ...day, to: Number.NaN }, 'invalid_time', 'to must be epoch'],
    [{ ...day, to: '9'.repeat(400) }, 'invalid_time', 'to must be epoch'],
    [{ ...day, interval: '5m' }, 'invalid_interval', 'interval must be 15m, 1h or 1d'],
    [{ ...day, interval: '' }, 'invalid_interval', 'interval must be 15m, 1h or 1d'],
    [{ ...day, interval: '1D' }, 'invalid_interval', 'interval must be 15m, 1h or 1d'],
    [{ ...day, to: day.from }, 'invalid_range', 'from must be before to'],
    [{ ...day, from: day.to, to: day.from }, 'invalid_range', 'from must be before to'],
  ])('refuses %j with %s', (input, code, message) => {
    const r = refusal(input);
    expect(r.code).toBe(code);
    expect(r.message).toContain(message);
    expect(r.message).not.toMatch(/DROP|yesterday|mètre|9{20}/); // never echoes the input
  });

  it('refuses ranges longer than the interval allows, and accepts the longest allowed', () => {
    const from = Date.UTC(2026, 0, 1);
    const days = (n: number) => from + n * 86_400_000;
    expect(refusal({ tenant: 'a', from, to: days(32) + 900_000, interval: '15m' })).toEqual({
      code: 'range_too_long',
      message: 'a 15m request covers at most 32 days, this one 32.01: split it',
    });
    expect(refusal({ tenant: 'a', from, to: days(94), interval: '1h' }).code).toBe('range_too_long');
    expect(refusal({ tenant: 'a', from, to: days(368) }).message).toBe(
      'a 1d request covers at most 367 days, this one 368: split it',
    );
    expect(parseEnergyQuery({ tenant: 'a', from, to: days(32), interval: '15m' }).to).toBe(days(32));
    expect(parseEnergyQuery({ tenant: 'a', from, to: days(93), interval: '1h' }).to).toBe(days(93));
    expect(parseEnergyQuery({ tenant: 'a', from, to: days(367) }).to).toBe(days(367));
  });

  it('refuses unaligned 15m and 1h ranges, naming the nearest aligned instants', () => {
    expect(refusal({ ...day, from: '2026-10-25T00:07:00Z', interval: '15m' })).toEqual({
      code: 'unaligned_range',
      message:
        'from must be a whole quarter hour (UTC) for interval 15m; the nearest are 2026-10-25T00:00:00.000Z and 2026-10-25T00:15:00.000Z',
    });
    expect(refusal({ ...day, to: '2026-10-26T00:15:00Z', interval: '1h' })).toEqual({
      code: 'unaligned_range',
      message:
        'to must be a whole hour (UTC) for interval 1h; the nearest are 2026-10-26T00:00:00.000Z and 2026-10-26T01:00:00.000Z',
    });
    expect(refusal({ ...day, from: Date.UTC(2026, 9, 25) + 1, interval: '15m' }).code).toBe('unaligned_range');
    // Offsets that are not whole hours still name the UTC grid.
    expect(parseEnergyQuery({ ...day, from: '2026-10-25T05:30:00+05:30', interval: '1h' }).from).toBe(
      Date.UTC(2026, 9, 25),
    );
  });

  it('refuses something that is not a request at all with a sentence', () => {
    expect(refusal(undefined as unknown as EnergyQueryInput).code).toBe('invalid_id');
    expect(refusal('tenant=acme' as unknown as EnergyQueryInput)).toEqual({
      code: 'invalid_range',
      message: 'a request needs tenant, from and to',
    });
  });
});

import { csvField, energyCsv, mwhToWh } from './energy-csv';
import type { EnergyRow } from './energy-intervals';
import { EnergyValueError } from './errors';

const row: EnergyRow = {
  meterId: 'm-1',
  start: '2026-10-25T00:00:00.000Z',
  end: '2026-10-25T00:15:00.000Z',
  timezone: null,
  energyMwh: '1234567',
  readings: 15,
  maxPowerW: 4938.5,
  resets: 0,
  complete: true,
  revision: 0,
};

describe('mwhToWh', () => {
  it.each([
    ['0', '0.000'],
    ['1', '0.001'],
    ['999', '0.999'],
    ['1000', '1.000'],
    ['1001', '1.001'],
    ['000042', '0.042'],
    ['123456789012345678', '123456789012345.678'],
    ['99999999999999999999999999', '99999999999999999999999.999'],
  ])('%s mWh is %s Wh', (mwh, wh) => {
    expect(mwhToWh(mwh)).toBe(wh);
    expect(mwhToWh(BigInt(mwh))).toBe(wh);
  });

  it('is exact where a float is not', () => {
    expect(String(Number('123456789012345678') / 1000)).not.toBe('123456789012345.678');
    expect(mwhToWh(9007199254740993n)).toBe('9007199254740.993');
  });

  it.each([['-1'], [-1n], ['1.5'], ['1e3'], [''], [' 1'], ['0x10']])(
    'refuses %p with a typed error instead of rounding',
    (v) => {
      expect(() => mwhToWh(v)).toThrow(EnergyValueError);
      expect(() => mwhToWh(v)).toThrow('energy must be a non-negative whole number of milliwatt-hours');
    },
  );

  it('refuses a float passed where digits belong', () => {
    expect(() => mwhToWh(1000 as unknown as string)).toThrow(EnergyValueError);
  });
});

describe('csvField', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['cr\rhere', '"cr\rhere"'],
    ['"', '""""'],
  ])('%j → %j', (value, field) => expect(csvField(value)).toBe(field));
});

describe('energyCsv', () => {
  it('writes a header and CRLF-terminated records, energy exact in Wh and mWh', () => {
    expect(
      energyCsv([row, { ...row, start: row.end, end: '2026-10-25T00:30:00.000Z', energyMwh: '0', revision: 2 }]),
    ).toBe(
      'meter_id,interval_start,interval_end,timezone,energy_wh,energy_mwh,readings,max_power_w,resets,complete,revision\r\n' +
        'm-1,2026-10-25T00:00:00.000Z,2026-10-25T00:15:00.000Z,,1234.567,1234567,15,4938.5,0,true,0\r\n' +
        'm-1,2026-10-25T00:15:00.000Z,2026-10-25T00:30:00.000Z,,0.000,0,15,4938.5,0,true,2\r\n',
    );
  });

  it('is only the header for no rows', () => {
    expect(energyCsv([])).toBe(
      'meter_id,interval_start,interval_end,timezone,energy_wh,energy_mwh,readings,max_power_w,resets,complete,revision\r\n',
    );
  });

  it('quotes what needs quoting (a POSIX time zone has commas) and leaves an unknown power empty', () => {
    const csv = energyCsv([
      { ...row, meterId: 'a"b', timezone: 'EST5EDT,M3.2.0,M11.1.0', maxPowerW: null, complete: false },
    ]);
    expect(csv.split('\r\n')[1]).toBe(
      '"a""b",2026-10-25T00:00:00.000Z,2026-10-25T00:15:00.000Z,"EST5EDT,M3.2.0,M11.1.0",1234.567,1234567,15,,0,false,0',
    );
  });

  it('refuses a negative stored energy rather than writing it', () => {
    expect(() => energyCsv([{ ...row, energyMwh: '-5' }])).toThrow(EnergyValueError);
  });
});

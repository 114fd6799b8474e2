import { EnergyValueError } from './energy-errors';
import { energyWhToMwh, mwhToWhText } from './milliwatt-hours';

// Register values become integer mWh by decimal shifting, never by float multiplication (1.005 × 1000 is
// 1004.9999999999999 in binary floating point).
describe('energy values convert exactly to mWh', () => {
  it.each([
    [0, 0],
    [1.005, 1_005],
    [4.35, 4_350],
    [1234.567, 1_234_567],
    ['0.001', 1],
    ['12', 12_000],
    [1e21 / 1e9, 1_000_000_000_000_000],
    ['2.5e2', 250_000],
    ['1.2345e2', 123_450],
  ])('%p Wh is %p mWh', (wh, mwh) => {
    expect(energyWhToMwh(wh)).toBe(mwh);
  });

  it.each([[-1], [1.0001], ['abc'], [Number.NaN], [Number.POSITIVE_INFINITY], [1e22], ['1.5e-7']])(
    'refuses %p',
    (wh) => {
      expect(() => energyWhToMwh(wh)).toThrow(EnergyValueError);
    },
  );

  it('prints mWh back as Wh with three decimals', () => {
    expect([mwhToWhText(1_234_567), mwhToWhText(5), mwhToWhText(-1_500)]).toEqual(['1234.567', '0.005', '-1.500']);
  });
});

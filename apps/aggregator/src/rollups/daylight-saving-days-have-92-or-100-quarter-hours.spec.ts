import { LocalDayError, localDateOf, localDayBounds } from './local-day';

// The meter's local day decides which windows a daily rollup sums: Europe/London loses an hour on the last
// Sunday of March (92 quarter hours) and gains one on the last Sunday of October (100).
describe('daylight-saving days have 92 or 100 quarter hours', () => {
  it.each([
    ['2026-03-29', 'Europe/London', '2026-03-29T00:00:00.000Z', '2026-03-29T23:00:00.000Z', 92],
    ['2026-10-25', 'Europe/London', '2026-10-24T23:00:00.000Z', '2026-10-26T00:00:00.000Z', 100],
    ['2026-06-01', 'Europe/London', '2026-05-31T23:00:00.000Z', '2026-06-01T23:00:00.000Z', 96],
    ['2026-03-08', 'America/New_York', '2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z', 92],
    ['2026-06-01', 'Asia/Kolkata', '2026-05-31T18:30:00.000Z', '2026-06-01T18:30:00.000Z', 96],
    ['2026-03-29', 'UTC', '2026-03-29T00:00:00.000Z', '2026-03-30T00:00:00.000Z', 96],
  ])('%s in %s runs from %s to %s: %i quarter hours', (date, zone, start, end, quarterHours) => {
    expect(localDayBounds(date, zone)).toEqual({
      start: Date.parse(start),
      end: Date.parse(end),
      quarterHours,
    });
  });

  it('puts the last window before local midnight in the old day and midnight in the new one', () => {
    expect(localDateOf(Date.parse('2026-10-25T23:45:00Z'), 'Europe/London')).toBe('2026-10-25');
    expect(localDateOf(Date.parse('2026-10-26T00:00:00Z'), 'Europe/London')).toBe('2026-10-26');
    expect(localDateOf(Date.parse('2026-03-29T22:45:00Z'), 'Europe/London')).toBe('2026-03-29');
    expect(localDateOf(Date.parse('2026-03-29T23:00:00Z'), 'Europe/London')).toBe('2026-03-30');
  });

  it('refuses unknown zones and malformed dates with a typed error', () => {
    expect(() => localDayBounds('2026-03-29', 'Europe/Atlantis')).toThrow(LocalDayError);
    expect(() => localDayBounds('29/03/2026', 'UTC')).toThrow(LocalDayError);
  });
});

import { EnergyQueryError } from '@switchboard/billing';
import { parseQueueStatsQuery } from './queue-stats-query';

const base = { tenant: 'acme', queue: 'sales', from: '2026-03-01T08:00:00Z', to: '2026-03-01T09:00:00Z' };

describe('parseQueueStatsQuery', () => {
  it('accepts RFC 3339 and epoch ms on whole minutes, up to 7 days', () => {
    expect(parseQueueStatsQuery(base)).toEqual({
      tenant: 'acme',
      queue: 'sales',
      from: Date.UTC(2026, 2, 1, 8),
      to: Date.UTC(2026, 2, 1, 9),
    });
    expect(parseQueueStatsQuery({ ...base, from: String(Date.UTC(2026, 2, 1)), to: '2026-03-08T00:00:00Z' }).to).toBe(
      Date.UTC(2026, 2, 8),
    );
  });

  it.each([
    [{ queue: 'a b' }, 'invalid_id'],
    [{ queue: undefined }, 'invalid_id'],
    [{ from: ['1', '2'] }, 'invalid_time'],
    [{ to: '2026-03-01' }, 'invalid_time'],
    [{ to: `2026-03-01T09:00:00${'0'.repeat(80)}Z` }, 'invalid_time'],
    [{ to: base.from }, 'invalid_range'],
    [{ to: '2026-03-08T08:01:00Z' }, 'range_too_long'],
    [{ from: '2026-03-01T08:00:00.001Z' }, 'unaligned_range'],
  ])('refuses %j with %s', (change, code) => {
    expect(() => parseQueueStatsQuery({ ...base, ...change })).toThrow(EnergyQueryError);
    try {
      parseQueueStatsQuery({ ...base, ...change });
    } catch (err) {
      expect((err as EnergyQueryError).code).toBe(code);
    }
  });
});

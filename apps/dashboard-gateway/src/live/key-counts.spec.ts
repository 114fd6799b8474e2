import { KeyCounts } from './key-counts';

describe('counts per key against one limit', () => {
  it("judges each key by its own count: one key at its limit leaves the others' room whole", () => {
    const c = new KeyCounts(2);
    c.add('a');
    c.add('a');
    expect(c.full('a')).toBe(true);
    expect(c.full('b')).toBe(false);
    c.add('b');
    expect({ a: c.of('a'), b: c.of('b'), total: c.total, atLimit: c.keysAtLimit }).toEqual({
      a: 2,
      b: 1,
      total: 3,
      atLimit: 1,
    });
  });

  it('forgets a key whose count is back at zero (no key is held for ever)', () => {
    const c = new KeyCounts(1);
    c.add('a');
    c.add('a', -1);
    c.add('b', -1);
    expect(c.of('a')).toBe(0);
    expect(c.total).toBe(0);
    expect(c.keysAtLimit).toBe(0);
    expect((c as unknown as { counts: Map<string, number> }).counts.size).toBe(0);
  });
});

import { KeyedStore, PartitionedStores } from './keyed-store';

describe('keyed state with a TTL', () => {
  it('evicts entities not written for ttlMs of stream time, oldest first, and reports them as deleted', () => {
    const evicted: string[] = [];
    const store = new KeyedStore<{ last: number }>({ ttlMs: 1000, onEvict: (k) => evicted.push(k) });
    store.set('meter-1', { last: 1 }, 100);
    store.set('meter-2', { last: 2 }, 200);
    store.markClean();
    store.set('meter-1', { last: 3 }, 600); // refreshed: now the newest
    expect(store.expire(1199)).toBe(0);
    expect(store.expire(1200)).toBe(1); // meter-2 last written at 200
    expect(evicted).toEqual(['meter-2']);
    expect(store.get('meter-2')).toBeUndefined();
    expect(store.changes()).toEqual({ now: 1200, upserts: [['meter-1', { last: 3 }, 600]], deletes: ['meter-2'] });
    expect(store.expire(1600)).toBe(1);
    expect(store.count).toBe(0);
    expect(store.bytes).toBe(0);
  });

  it('measures its size and says when it is over its bound', () => {
    const store = new KeyedStore<number[]>({ maxBytes: 1000 });
    store.set('k', [1, 2, 3], 0);
    const one = store.bytes;
    expect(one).toBeGreaterThan(0);
    expect(store.overLimit).toBe(false);
    for (let i = 0; i < 20; i++) store.set(`k${i}`, [1, 2, 3], 0);
    expect(store.overLimit).toBe(true);
    for (let i = 0; i < 20; i++) store.delete(`k${i}`);
    expect(store.bytes).toBe(one);
  });

  it('snapshots to plain JSON and restores with TTL order intact; revocation drops a partition', () => {
    const stores = new PartitionedStores<number>({ ttlMs: 100 });
    const s = stores.assign(0);
    s.set('b', 2, 50);
    s.set('a', 1, 10 + 60); // written later
    const snap = JSON.parse(JSON.stringify(s.snapshot()));
    const r = stores.assign(1, snap);
    expect(r.dirtyCount).toBe(0);
    expect(r.expire(150)).toBe(1);
    expect(r.get('a')).toBe(1);
    stores.revoke(0);
    expect(stores.partitions()).toEqual([1]);
    expect(() => new KeyedStore({ ttlMs: -1 })).toThrow(
      'ttlMs must be > 0 ms, or omitted to keep entries until deleted; got -1',
    );
  });
});

import { StreamsConfigError } from '../core/errors';
import { OpenStreams, resolveOpenStreamsOptions } from './open-streams';

// A consumer used to keep every stream until its stream-end message; ingest never ends a call's stream (one per
// call id), so a long-running consumer of events.calls grew without bound. These are the rules that bound it.
describe('open streams of a consumer', () => {
  const ids = (e: { streamId: string }[]) => e.map((x) => x.streamId);

  it('evicts streams not seen for the TTL, counted as idle; a stream seen again stays', () => {
    const open = new OpenStreams<string>({ ttlMs: 1000, maxStreams: 100 });
    open.seen(0, 'call-1', 'a', 0);
    open.seen(1, 'call-2', 'b', 100);
    open.seen(0, 'call-3', 'c', 200);
    open.seen(0, 'call-1', 'a', 900); // seen again: its TTL starts over

    expect(open.evict(999)).toEqual([]);
    expect(ids(open.evict(1100))).toEqual(['call-2']);
    expect(ids(open.evict(1200))).toEqual(['call-3']);
    expect(open.get(0, 'call-1')).toBe('a');
    expect(open.stats).toEqual({ open: 1, evicted: { idle: 2, limit: 0 } });
  });

  it('holds at most maxStreams: the least recently seen go first, counted as limit', () => {
    const open = new OpenStreams<number>({ ttlMs: Number.POSITIVE_INFINITY, maxStreams: 3 });
    for (let i = 1; i <= 5; i++) open.seen(i % 2, `s-${i}`, i, i);
    open.seen(1, 's-1', 1, 6); // s-1 is now the most recent
    const evicted = open.evict(7);
    expect(evicted.map((e) => [e.streamId, e.reason])).toEqual([
      ['s-2', 'limit'],
      ['s-3', 'limit'],
    ]);
    expect(open.all().sort()).toEqual([1, 4, 5]);
    expect(open.stats.evicted).toEqual({ idle: 0, limit: 2 });
    // room for a stream about to be added: one more goes now, so the new one never pushes the count over
    expect(open.evict(8, undefined, 1).map((e) => e.streamId)).toEqual(['s-4']);
    expect(open.size).toBe(2);
  });

  it('never evicts in a partition the caller holds back (a batch running there): the next ones go instead', () => {
    const open = new OpenStreams<string>({ ttlMs: 10, maxStreams: 2 });
    open.seen(0, 'a', 'a', 0);
    open.seen(1, 'b', 'b', 0);
    open.seen(1, 'c', 'c', 50);
    open.seen(1, 'd', 'd', 50);
    const evicted = open.evict(20, (p) => p !== 0);
    expect(evicted.map((e) => [e.streamId, e.reason])).toEqual([
      ['b', 'idle'],
      ['c', 'limit'],
    ]);
    expect(open.all()).toEqual(['a', 'd']);
    expect(ids(open.evict(20))).toEqual(['a']);
  });

  it('costs per evicted stream, not per stream held: a busy partition full of old streams does not slow the others', () => {
    const open = new OpenStreams<number>({ ttlMs: Number.POSITIVE_INFINITY, maxStreams: 50_001 });
    for (let i = 0; i < 50_000; i++) open.seen(0, `old-${i}`, i, 0); // partition 0: its batch runs, held back
    const started = Date.now();
    for (let i = 0; i < 20_000; i++) {
      open.evict(1 + i, (p) => p !== 0, 1); // room for the new stream, as the consumer makes it
      open.seen(1, `new-${i}`, i, 1 + i);
    }
    expect(Date.now() - started).toBeLessThan(2000); // a scan past partition 0's streams each time: minutes
    expect(open.size).toBe(50_001);
    expect(open.stats.evicted.limit).toBe(19_999);
  });

  it('a stream-end or a revocation forgets streams without counting them as evicted', () => {
    const open = new OpenStreams<string>({ ttlMs: 10, maxStreams: 10 });
    open.seen(0, 'x', 'x', 0);
    open.seen(1, 'y', 'y', 0);
    open.seen(1, 'z', 'z', 0);
    open.remove(0, 'x');
    expect(open.dropPartition(1)).toEqual(['y', 'z']);
    expect(open.stats).toEqual({ open: 0, evicted: { idle: 0, limit: 0 } });
    expect(open.evict(1000)).toEqual([]);
  });

  it('keeps the same stream id in two partitions apart', () => {
    const open = new OpenStreams<string>({ ttlMs: 10, maxStreams: 10 });
    open.seen(0, 'm', 'in 0', 0);
    open.seen(1, 'm', 'in 1', 5);
    expect(open.evict(12).map((e) => [e.partition, e.stream])).toEqual([[0, 'in 0']]);
    expect(open.get(1, 'm')).toBe('in 1');
  });

  it('defaults to an hour and 100,000 streams; refuses a TTL ≤ 0 and a cap below 1 at construction', () => {
    expect(resolveOpenStreamsOptions('t', {})).toEqual({ ttlMs: 3_600_000, maxStreams: 100_000 });
    expect(resolveOpenStreamsOptions('t', { streamTtlMs: Number.POSITIVE_INFINITY }).ttlMs).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(() => resolveOpenStreamsOptions('t', { streamTtlMs: 0 })).toThrow(StreamsConfigError);
    expect(() => resolveOpenStreamsOptions('t', { maxOpenStreams: 0 })).toThrow(/maxOpenStreams .* must be a whole/);
    expect(() => resolveOpenStreamsOptions('t', { maxOpenStreams: 2.5 })).toThrow(StreamsConfigError);
  });
});

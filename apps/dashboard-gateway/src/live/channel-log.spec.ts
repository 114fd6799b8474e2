import { ChannelLog, type LiveRow } from './channel-log';

const row = (id: string, version: number): LiveRow => ({ id, kind: 'queue_gauge', version, row: { v: version } });
const log = (maxRows = 100, ringSize = 8) => new ChannelLog({ epoch: 'e1', maxRows, ringSize });

describe('a channel log', () => {
  it('keeps the highest version per row: duplicates and older deliveries are dropped and take no seq', () => {
    const l = log();
    expect(l.apply(row('a', 2))).toBe(true);
    expect(l.apply(row('a', 2))).toBe(false);
    expect(l.apply(row('a', 1))).toBe(false);
    expect(l.apply(row('a', 3))).toBe(true);
    expect(l.seq).toBe(2);
    expect(l.snapshot()).toEqual({ seq: 2, rows: [row('a', 3)] });
  });

  it('gives a delta of exactly what changed after a seq, conflated to the latest version per row', () => {
    const l = log();
    l.apply(row('a', 1));
    l.apply(row('b', 1));
    const at = l.seq;
    l.apply(row('a', 2));
    l.apply(row('c', 1));
    l.apply(row('a', 3));
    expect(l.frameSince(at)).toEqual({ from: 2, seq: 5, rows: [row('c', 1), row('a', 3)] });
    expect(l.frameSince(l.seq)).toEqual({ from: 5, seq: 5, rows: [] });
  });

  it('resumes only within the ring: older or future seqs need a snapshot', () => {
    const l = log(100, 4);
    for (let v = 1; v <= 6; v++) l.apply(row(`r${v}`, 1));
    expect(l.canResumeFrom(2)).toBe(true);
    expect(l.frameSince(2)?.rows.map((r) => r.id)).toEqual(['r3', 'r4', 'r5', 'r6']);
    expect(l.canResumeFrom(1)).toBe(false);
    expect(l.frameSince(1)).toBeNull();
    expect(l.frameSince(7)).toBeNull();
    expect(l.frameSince(-1)).toBeNull();
  });

  it('never shows an older version after a newer one across consecutive frames', () => {
    const l = log(100, 64);
    const seen = new Map<string, number>();
    let cursor = 0;
    for (let i = 0; i < 500; i++) {
      const id = `r${i % 7}`;
      l.apply(row(id, ((i * 13) % 50) + 1)); // versions arrive shuffled, with repeats
      if (i % 5 === 0) {
        const frame = l.frameSince(cursor) ?? { seq: l.seq, rows: l.snapshot().rows };
        for (const r of frame.rows) {
          expect(r.version).toBeGreaterThan(seen.get(r.id) ?? 0);
          seen.set(r.id, r.version);
        }
        cursor = frame.seq;
      }
    }
  });

  it('is bounded: new ids beyond maxRows are refused, known rows keep updating', () => {
    const l = log(2);
    l.apply(row('a', 1));
    l.apply(row('b', 1));
    expect(l.apply(row('c', 1))).toBe(false);
    expect(l.apply(row('a', 2))).toBe(true);
    expect(l.size).toBe(2);
    expect(l.refused).toBe(1);
  });

  it('leaves tombstones out of snapshots but sends them in deltas; pruned rows leave the snapshot', () => {
    const l = log();
    l.apply(row('a', 1));
    l.apply({ id: 'a', kind: 'service_status', version: 2, row: null });
    l.apply(row('b', 1));
    expect(l.snapshot().rows).toEqual([row('b', 1)]);
    expect(l.frameSince(1)?.rows[0]).toEqual({ id: 'a', kind: 'service_status', version: 2, row: null });
    expect(l.prune((r) => r.id === 'b')).toBe(1);
    expect(l.snapshot().rows).toEqual([]);
  });

  it('when full and told to evict, makes room by forgetting the row changed least recently', () => {
    const outcomes: string[] = [];
    const l = new ChannelLog({
      epoch: 'e',
      maxRows: 2,
      ringSize: 8,
      whenFull: 'evictOldest',
      onFull: (o) => outcomes.push(o),
    });
    l.apply(row('a', 1));
    l.apply(row('b', 1));
    l.apply(row('a', 2)); // a changed after b: b is now the least recently changed
    expect(l.apply(row('c', 1))).toBe(true);
    expect(
      l
        .snapshot()
        .rows.map((r) => r.id)
        .sort(),
    ).toEqual(['a', 'c']);
    expect(l.evicted.limit).toBe(1);
    expect(l.refused).toBe(0);
    expect(outcomes).toEqual(['evicted']);
  });

  it('never takes a forgotten row back at an older or equal version, a newer one comes back', () => {
    const l = new ChannelLog({ epoch: 'e', maxRows: 2, ringSize: 8, whenFull: 'evictOldest' });
    l.apply(row('a', 5));
    l.apply(row('b', 1));
    l.apply(row('c', 1)); // a evicted at version 5
    expect(l.apply(row('a', 4))).toBe(false);
    expect(l.apply(row('a', 5))).toBe(false);
    expect(l.apply(row('a', 6))).toBe(true);
    l.prune((r) => r.id === 'a'); // pruned rows leave their version behind too
    expect(l.apply(row('a', 6))).toBe(false);
  });

  it('tells the predicate of prune when each row last changed', () => {
    const l = log();
    l.apply(row('old', 1), 1000);
    l.apply(row('new', 1), 5000);
    l.apply(row('old', 2), 2000); // a new version moves its change time
    expect(l.prune((_r, changedAt) => changedAt < 3000)).toBe(1);
    expect(l.snapshot().rows.map((r) => r.id)).toEqual(['new']);
    expect(l.evicted.pruned).toBe(1);
  });

  it('refuses by default when full and says so', () => {
    const outcomes: string[] = [];
    const l = new ChannelLog({ epoch: 'e', maxRows: 1, ringSize: 8, onFull: (o) => outcomes.push(o) });
    l.apply(row('a', 1));
    expect(l.apply(row('b', 1))).toBe(false);
    expect(outcomes).toEqual(['refused']);
  });
});

import fc from 'fast-check';
import { RepartitionBoundary, type RepartitionMessage } from './repartition';
import { cutIntoBatches, manualClock, rec } from './spec-helpers';

// An operator may send a batch's records through the boundary one at a time as it reads them (`emit`), reading a
// group's time between them, and close the batch with `announce()`: what reaches the sink — records, sequence
// numbers, time markers with their group times — is exactly what `process` of the whole batch sends.
function boundaryWithSink(mode: 'live' | 'replay') {
  const wall = manualClock(5_000_000);
  const out: RepartitionMessage<number>[] = [];
  const boundary = new RepartitionBoundary<number>({
    keyBy: (_v, r) => `${r.key}#`,
    timeGroup: (r) => r.key.slice(0, r.key.indexOf('/')),
    sink: out,
    idleMs: mode === 'live' ? 10_000 : undefined,
    mode,
    clock: wall.now,
  });
  boundary.assign(0);
  boundary.assign(1);
  return { boundary, out };
}

const record = fc
  .tuple(fc.constantFrom('a/q1', 'a/q2', 'b/q1', 'c/q9'), fc.integer({ min: 0, max: 4_000_000 }), fc.nat(1))
  .map(([key, ts, partition]) => rec(key, ts, 1, partition));

describe('a repartition boundary fed record by record', () => {
  it('sends what process sends, batch by batch', () => {
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }),
        fc.constantFrom<'live' | 'replay'>('live', 'replay'),
        (records, cuts, mode) => {
          const whole = boundaryWithSink(mode);
          const oneByOne = boundaryWithSink(mode);
          for (const batch of cutIntoBatches(records, cuts)) {
            whole.boundary.process(batch);
            for (const r of batch) oneByOne.boundary.emit(r);
            oneByOne.boundary.announce();
          }
          expect(oneByOne.out).toEqual(whole.out);
          expect([0, 1].map((p) => oneByOne.boundary.snapshot(p))).toEqual(
            [0, 1].map((p) => whole.boundary.snapshot(p)),
          );
        },
      ),
    );
  });

  it('moves a group’s time at each record, and marks the batch once at announce', () => {
    const { boundary, out } = boundaryWithSink('replay');
    boundary.emit(rec('a/q1', 1_000, 1));
    expect(boundary.groupTime(0, 'a')).toBe(1_000);
    boundary.emit(rec('a/q2', 3_000, 1));
    expect(boundary.groupTime(0, 'a')).toBe(3_000);
    expect(out.map((m) => m.kind)).toEqual(['record', 'record']);
    boundary.announce();
    expect(out.filter((m) => m.kind === 'time')).toEqual([
      { kind: 'time', sourcePartition: 0, streamTime: 3_000, groups: [['a', 3_000, 1_000, 1_000]] },
    ]);
    boundary.announce(); // nothing emitted since: no marker
    expect(out).toHaveLength(3);
  });
});

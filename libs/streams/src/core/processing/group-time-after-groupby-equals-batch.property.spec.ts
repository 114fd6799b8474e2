import fc from 'fast-check';
import { sum } from './aggregators';
import type { StreamRecord, WindowRow } from './record';
import { RepartitionBoundary, type RepartitionMessage } from './repartition';
import { batchAggregate, interleaveSources } from './spec-helpers';
import { WindowedAggregation } from './windowed-aggregation';
import { tumbling } from './windows';

interface Fact {
  queue: string;
  v: number;
}

const window = tumbling(60_000);
const GRACE = 5_000;
const T0 = 1_700_000_000_000;
const tenantOf = (key: string) => key.slice(0, key.indexOf('/'));

/** A record of a tenant: its event-time offset, its arrival delay at the upstream partition, queue, value. */
const item = fc.tuple(
  fc.constantFrom('a', 'b', 'c'),
  fc.integer({ min: 0, max: 3_600_000 }),
  fc.integer({ min: 0, max: 600_000 }),
  fc.constantFrom('sales', 'support'),
  fc.nat(100),
);
const input = fc.record({
  p0: fc.array(item, { maxLength: 80 }),
  p1: fc.array(item, { maxLength: 80 }),
  /** Per tenant an extra delay (a backlog forwarded late), the same on both sources. */
  lag: fc.record({
    a: fc.constant(0),
    b: fc.integer({ min: 0, max: 7_200_000 }),
    c: fc.integer({ min: 0, max: 600_000 }),
  }),
  schedule: fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 12 })), { minLength: 1, maxLength: 40 }),
});

/** One source partition's records in arrival order: event time + the tenant's lag + the record's own delay. */
function arrivals(
  spec: Array<[string, number, number, string, number]>,
  partition: number,
  lag: Record<string, number>,
): StreamRecord<Fact>[] {
  return spec
    .map(([tenant, offset, delay, queue, v], i) => ({ at: offset + lag[tenant] + delay, i, tenant, offset, queue, v }))
    .sort((x, y) => x.at - y.at || x.i - y.i)
    .map(({ tenant, offset, queue, v }) => ({
      key: `${tenant}/${queue}`,
      value: { queue, v },
      timestamp: T0 + offset,
      partition,
    }));
}

/** The last emission of each window: what an upsert by version leaves in the table. */
function lastRows(rows: readonly WindowRow<number>[]): Record<string, number> {
  const last = new Map<string, WindowRow<number>>();
  for (const r of rows) {
    const id = `${r.key}@${r.windowStart}`;
    const seen = last.get(id);
    if (seen === undefined || r.version > seen.version) last.set(id, r);
  }
  const out: Record<string, number> = {};
  for (const [id, r] of last) {
    expect(r.final).toBe(true);
    out[id] = r.value;
  }
  return out;
}

describe('closing per tenant after a groupBy, tenants interleaved on two sources with different delays', () => {
  it('loses nothing: the last row of every window equals the batch computation', () => {
    fc.assert(
      fc.property(input, ({ p0, p1, lag, schedule }) => {
        const src = [arrivals(p0, 0, lag), arrivals(p1, 1, lag)];
        const messages: RepartitionMessage<Fact>[] = [];
        const stage1 = new RepartitionBoundary<Fact>({
          keyBy: (_v, r) => r.key,
          timeGroup: (r) => tenantOf(r.key),
          sink: messages,
          mode: 'replay',
        });
        stage1.assign(0);
        stage1.assign(1);
        const rows: WindowRow<number>[] = [];
        const stage2 = new WindowedAggregation<Fact, number, number>({
          window,
          aggregator: sum((f: Fact) => f.v),
          grace: GRACE,
          inputs: 2,
          closeBy: tenantOf,
          restateForMs: 24 * 3_600_000,
          sink: rows,
          mode: 'replay',
        });
        // two downstream partitions: a tenant's clock there also hears of it through time markers only
        stage2.assign(0);
        stage2.assign(1);
        const route = (ms: RepartitionMessage<Fact>[]) => {
          for (const p of [0, 1])
            stage2.processMessages(
              p,
              ms.filter((m) => m.kind === 'time' || (m.key.endsWith('sales') ? 0 : 1) === p),
            );
        };
        interleaveSources(src, schedule, (slice) => {
          stage1.process(slice);
          route(messages.splice(0));
        });
        // every source and tenant reaches the end of time: everything closes
        const end = T0 + 1e9;
        for (const s of [0, 1])
          route([{ kind: 'time', sourcePartition: s, streamTime: end, groups: ['a', 'b', 'c'].map((g) => [g, end]) }]);
        expect(stage2.stats(0).late + stage2.stats(1).late).toBe(0);
        expect(lastRows(rows)).toEqual(
          batchAggregate(
            [...src[0], ...src[1]],
            window,
            sum((f: Fact) => f.v),
          ),
        );
      }),
      { numRuns: 150 },
    );
  });
});

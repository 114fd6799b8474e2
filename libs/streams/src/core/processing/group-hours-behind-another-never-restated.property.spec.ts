import fc from 'fast-check';
import { sum } from './aggregators';
import type { StreamRecord, WindowRow } from './record';
import { RepartitionBoundary, type RepartitionMessage } from './repartition';
import { batchAggregate, finalValues, interleaveSources } from './spec-helpers';
import { type CloseBy, WindowedAggregation } from './windowed-aggregation';
import { tumbling } from './windows';

const window = tumbling(60_000);
const GRACE = 60_000;
const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;
const tenantOf = (key: string) => key.slice(0, key.indexOf('/'));

/**
 * Two upstream partitions. Tenant `live` sends as things happen (an event every 1–5 s on each source); at wall
 * time W tenant `late` forwards `behind` hours of buffered events (a PBX after an outage): from then on each
 * source interleaves them, in their own ts order, with the live tenant's (several of the backlog between two live
 * ones). The downstream reads the sources in any interleaving.
 */
const input = fc.record({
  behind: fc.integer({ min: 1, max: 5 }),
  liveGaps: fc.array(fc.array(fc.integer({ min: 1_000, max: 5_000 }), { minLength: 120, maxLength: 120 }), {
    minLength: 2,
    maxLength: 2,
  }),
  lateGaps: fc.array(fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 150, maxLength: 150 }), {
    minLength: 2,
    maxLength: 2,
  }),
  lateStart: fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 2, maxLength: 2 }),
  queues: fc.array(fc.constantFrom('sales', 'support', 'billing'), { minLength: 150, maxLength: 150 }),
  schedule: fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 30 }),
});

interface Input {
  behind: number;
  liveGaps: number[][];
  lateGaps: number[][];
  lateStart: number[];
  queues: string[];
}

function sources({ behind, liveGaps, lateGaps, lateStart, queues }: Input): StreamRecord<number>[][] {
  const forwardedAt = T0 + 60_000;
  return [0, 1].map((p) => {
    const out: StreamRecord<number>[] = [];
    let live = T0;
    let late = forwardedAt - behind * HOUR + lateStart[p];
    let j = 0;
    for (const gap of liveGaps[p]) {
      live += gap;
      out.push({ key: `live/${queues[out.length % queues.length]}`, value: 1, timestamp: live, partition: p });
      // once forwarded: five of the backlog after each live event, until it is through
      for (let k = 0; live >= forwardedAt && k < 5 && j < lateGaps[p].length; k++, j++) {
        late += lateGaps[p][j];
        out.push({ key: `late/${queues[j]}`, value: 1, timestamp: late, partition: p });
      }
    }
    return out;
  });
}

function run(
  src: StreamRecord<number>[][],
  schedule: Array<[boolean, number]>,
  closeBy: CloseBy | undefined,
): { rows: WindowRow<number>[]; late: number } {
  const messages: RepartitionMessage<number>[] = [];
  const stage1 = new RepartitionBoundary<number>({
    keyBy: (_v, r) => r.key,
    timeGroup: (r) => tenantOf(r.key),
    sink: messages,
    mode: 'replay',
  });
  stage1.assign(0);
  stage1.assign(1);
  const rows: WindowRow<number>[] = [];
  const stage2 = new WindowedAggregation<number, number, number>({
    window,
    aggregator: sum(),
    grace: GRACE,
    inputs: 2,
    restateForMs: 24 * HOUR,
    ...(closeBy === undefined ? {} : { closeBy }),
    sink: rows,
    mode: 'replay',
  });
  stage2.assign(0);
  interleaveSources(src, schedule, (slice) => {
    stage1.process(slice);
    stage2.processMessages(0, messages.splice(0));
  });
  return { rows, late: stage2.stats(0).late };
}

describe('a tenant hours behind another, after a groupBy, closing per tenant', () => {
  it('is never restated when its records reach each source in ts order, whatever the interleaving', () => {
    fc.assert(
      fc.property(input, ({ schedule, ...spec }) => {
        const src = sources(spec);
        const { rows, late } = run(src, schedule, tenantOf);
        expect(late).toBe(0);
        const lateRows = rows.filter((r) => r.key.startsWith('late/'));
        expect(lateRows.filter((r) => r.restated)).toEqual([]);
        // and what closed is right: the final rows of the backlog's closed windows are the batch's
        const expected = batchAggregate(
          [...src[0], ...src[1]].filter((r) => r.key.startsWith('late/')),
          window,
          sum(),
        );
        const finals = finalValues(lateRows);
        expect(Object.keys(finals).length).toBeGreaterThan(0);
        for (const [id, v] of Object.entries(finals)) expect(v).toBe(expected[id]);
      }),
      { numRuns: 100 },
    );
  });

  it('is restated on the partition’s clock (the case per-tenant closing removes)', () => {
    const spec: Input = {
      behind: 2,
      liveGaps: [Array(120).fill(2_000), Array(120).fill(3_000)],
      lateGaps: [Array(150).fill(10_000), Array(150).fill(10_000)],
      lateStart: [0, 5_000],
      queues: Array(150).fill('sales'),
    };
    const byPartition = run(
      sources(spec),
      [
        [false, 10],
        [true, 10],
      ],
      undefined,
    );
    expect(byPartition.rows.some((r) => r.key.startsWith('late/') && r.restated)).toBe(true);
    const byTenant = run(
      sources(spec),
      [
        [false, 10],
        [true, 10],
      ],
      tenantOf,
    );
    expect(byTenant.rows.some((r) => r.key.startsWith('late/') && r.restated)).toBe(false);
  });
});

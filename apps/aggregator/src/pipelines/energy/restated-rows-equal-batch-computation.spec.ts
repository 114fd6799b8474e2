import type { ConsumedMessage } from '@switchboard/streams';
import { TimeseriesData } from '@switchboard/streams';
import fc from 'fast-check';
import { energyTopology } from './topology';
import { assign } from './topology.spec-support';

// Property: whatever the arrival order and delay within the horizon (here up to 2 days), and however the
// readings are batched, the last version of every window equals an independent in-order batch computation over
// all readings (each reading's energy = register − previous register, the window of the later reading), every
// window ends final, and a row's version and revision only grow. Nothing is refused.
const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
const Q = 15 * 60_000;
const DAY = 86_400_000;

interface Reading {
  meter: string;
  ts: number;
  wh: number;
}

const scenario = fc
  .array(
    fc.record({
      meter: fc.constantFrom('m1', 'm2', 'm3'),
      offset: fc.integer({ min: 0, max: 8 * 3_600_000 }),
      step: fc.integer({ min: 0, max: 50_000 }),
      reset: fc.boolean(),
      delay: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 * DAY })),
    }),
    { minLength: 1, maxLength: 60 },
  )
  .chain((items) =>
    fc.tuple(fc.constant(items), fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 20 })),
  );

/** PRODUCT.md's definition, in order, written independently of MeterEnergy. */
function batch(readings: Reading[]): Map<string, { mwh: number; n: number; resets: number }> {
  const first = new Map<string, Reading>();
  for (const r of readings) if (!first.has(`${r.meter}@${r.ts}`)) first.set(`${r.meter}@${r.ts}`, r);
  const sorted = [...first.values()].sort((a, b) => a.meter.localeCompare(b.meter) || a.ts - b.ts);
  const rows = new Map<string, { mwh: number; n: number; resets: number }>();
  let prev: Reading | undefined;
  for (const r of sorted) {
    const id = `${r.meter}@${r.ts - (r.ts % Q)}`;
    const row = rows.get(id) ?? { mwh: 0, n: 0, resets: 0 };
    rows.set(id, row);
    row.n++;
    const mwh = Math.round(r.wh * 1000);
    if (prev?.meter === r.meter) {
      const before = Math.round(prev.wh * 1000);
      if (mwh < before) {
        row.mwh += mwh;
        row.resets++;
      } else row.mwh += mwh - before;
    }
    prev = r;
  }
  return rows;
}

function message(r: Reading): ConsumedMessage {
  const data = new TimeseriesData();
  data.setNumeric(data.addRow(r.ts), 'energyWh', r.wh);
  return { partition: 0, offset: '0', streamId: `acme/${r.meter}`, message: { kind: 'timeseries', data } };
}

describe('restated rows equal the batch computation', () => {
  it('holds for any arrival order, delay within the horizon and batching', () => {
    fc.assert(
      fc.property(scenario, ([items, batchSizes]) => {
        const registers = new Map<string, number>();
        const readings = items.map((it) => {
          const register = it.reset ? it.step : (registers.get(it.meter) ?? 0) + it.step;
          registers.set(it.meter, register);
          return {
            reading: { meter: it.meter, ts: T0 + it.offset, wh: register / 1000 },
            arrives: it.offset + it.delay,
          };
        });
        const arrival = [...readings].sort((a, b) => a.arrives - b.arrives).map((a) => a.reading);
        // The same ts twice with different registers: the first *received* is kept, so the batch sees arrival order.
        const expected = batch(arrival);

        const t = energyTopology({ graceMs: 60_000, idleMs: 1_000, mode: 'replay' });
        assign(t);
        let i = 0;
        for (let b = 0; i < arrival.length; b++) {
          const size = batchSizes[b % batchSizes.length];
          t.process(0, arrival.slice(i, i + size).map(message));
          i += size;
        }
        // Close everything: a far later reading of every meter.
        t.process(
          0,
          ['m1', 'm2', 'm3'].map((meter) => message({ meter, ts: T0 + 3 * DAY, wh: 1e9 })),
        );

        const last = new Map<
          string,
          { version: number; revision: number; mwh: number; n: number; resets: number; final: boolean }
        >();
        for (const r of t.drain().results) {
          if (r.kind !== 'window' || r.row.windowStart >= T0 + 3 * DAY - Q) continue;
          const id = `${r.meterId}@${r.row.windowStart}`;
          const seen = last.get(id);
          if (seen) {
            expect(r.version).toBeGreaterThan(seen.version);
            expect(r.revision).toBeGreaterThanOrEqual(seen.revision);
            if (seen.final) expect(r.row.isFinal).toBe(true);
          }
          const { energyMwh: mwh, readings: n, resets, isFinal: final } = r.row;
          last.set(id, { version: r.version, revision: r.revision, mwh, n, resets, final });
        }
        const got = new Map([...last].map(([id, v]) => [id, { mwh: v.mwh, n: v.n, resets: v.resets }]));
        expect(got).toEqual(expected);
        expect([...last.values()].every((v) => v.final)).toBe(true);
        expect(t.refused).toEqual({ late: 0, invalid: 0 });
      }),
      { numRuns: 150 },
    );
  });
});

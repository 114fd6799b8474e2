import fc from 'fast-check';
import type { WindowSnapshot } from '../state/window-store';
import { sum } from './aggregators';
import type { StreamRecord, WindowRow } from './record';
import { batchAggregate, cutIntoBatches } from './spec-helpers';
import { WindowedAggregation } from './windowed-aggregation';
import { hopping, tumbling, type WindowDefinition } from './windows';

const GRACE = 2000;
const FLUSH_KEY = '~flush';

interface Scenario {
  window: WindowDefinition;
  /** Batches of records as they arrive. */
  batches: StreamRecord<number>[][];
  /** The records that must count (all but the injected late ones). */
  onTime: StreamRecord<number>[];
  lateCount: number;
  checkpointAfter: boolean[];
  crashAt: number | null;
}

/**
 * Records with increasing event times, delivered in an order shuffled within grace (each arrives before
 * anything GRACE newer), plus records injected beyond grace (late for every window they belong to).
 */
const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    window: fc.constantFrom(tumbling(1000), hopping(3000, 1000), tumbling(5000)),
    events: fc.array(
      fc.record({
        key: fc.constantFrom('a', 'b', 'c', 'd'),
        gap: fc.integer({ min: 0, max: 1500 }),
        jitter: fc.integer({ min: 0, max: GRACE - 1 }),
        value: fc.integer({ min: -1000, max: 1000 }),
        late: fc.option(fc.integer({ min: 0, max: 4000 }), { freq: 8 }),
      }),
      { minLength: 1, maxLength: 120 },
    ),
    cuts: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 40 }),
    checkpoints: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
    crash: fc.option(fc.nat(), { freq: 4 }),
  })
  .map(({ window, events, cuts, checkpoints, crash }) => {
    let t = 1_000_000;
    const timed = events.map((e) => {
      t += e.gap;
      return { ...e, ts: t };
    });
    // arrival order: by ts + jitter (jitter < GRACE) — never late
    const arrival = [...timed].sort((x, y) => x.ts + x.jitter - (y.ts + y.jitter));
    const stream: StreamRecord<number>[] = [];
    const onTime: StreamRecord<number>[] = [];
    let maxTs = Number.NEGATIVE_INFINITY;
    let lateCount = 0;
    for (const e of arrival) {
      const r: StreamRecord<number> = { key: e.key, value: e.value, timestamp: e.ts, partition: 0 };
      stream.push(r);
      onTime.push(r);
      maxTs = Math.max(maxTs, e.ts);
      if (e.late !== null) {
        // beyond grace for every window containing it: end ≤ ts + size ≤ maxTs − GRACE
        const ts = maxTs - GRACE - window.sizeMs - e.late;
        stream.push({ key: e.key, value: 1_000_000, timestamp: ts, partition: 0 });
        lateCount++;
      }
    }
    stream.push({ key: FLUSH_KEY, value: 0, timestamp: maxTs + 100_000, partition: 0 });
    const batches = cutIntoBatches(stream, cuts);
    return {
      window,
      batches,
      onTime,
      lateCount,
      checkpointAfter: batches.map((_, b) => checkpoints[b % checkpoints.length]),
      crashAt: crash === null ? null : crash % batches.length,
    };
  });

interface StoredRow {
  value: number;
  version: number;
  final: boolean;
}

/** A stand-in for the Postgres checkpoint: rows, state and the next batch index, written together. */
class FakeCheckpoint {
  rows = new Map<string, StoredRow>();
  state: WindowSnapshot<number> | undefined;
  nextBatch = 0;

  commit(pending: WindowRow<number>[], engine: WindowedAggregation<number, number, number>, nextBatch: number): void {
    for (const row of pending) {
      const id = `${row.key}@${row.windowStart}`;
      const old = this.rows.get(id);
      if (old !== undefined) {
        // the properties the product promises about rows
        if (row.version <= old.version) throw new Error(`version of ${id} went from ${old.version} to ${row.version}`);
        if (old.final) throw new Error(`${id} changed after it was final`);
      }
      this.rows.set(id, { value: row.value, version: row.version, final: row.final });
    }
    pending.length = 0;
    this.state = WindowedAggregation.applyChanges(this.state, JSON.parse(JSON.stringify(engine.changes(0))));
    engine.markCheckpointed(0);
    this.nextBatch = nextBatch;
  }
}

function run(s: Scenario): FakeCheckpoint {
  const db = new FakeCheckpoint();
  const pending: WindowRow<number>[] = [];
  const make = () => {
    const e = new WindowedAggregation({
      window: s.window,
      aggregator: sum(),
      grace: GRACE,
      sink: pending,
      mode: 'replay',
    });
    e.restore(0, db.state);
    return e;
  };
  let engine = make();
  let crashed = false;
  for (let b = 0; b < s.batches.length; b++) {
    if (!crashed && s.crashAt === b) {
      // the process dies: everything since the last commit is lost; restart from the checkpoint
      crashed = true;
      pending.length = 0;
      engine = make();
      b = db.nextBatch - 1;
      continue;
    }
    engine.process(s.batches[b]);
    if (s.checkpointAfter[b]) db.commit(pending, engine, b + 1);
  }
  db.commit(pending, engine, s.batches.length);
  expect(engine.stats(0).late).toBeGreaterThanOrEqual(0);
  return db;
}

describe('windowed sum under reordering, late records and a crash at a random step', () => {
  it('leaves exactly the batch result in the checkpointed rows, with versions only growing', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const db = run(s);
        const expected = batchAggregate(s.onTime, s.window, sum());
        const finals: Record<string, number> = {};
        for (const [id, row] of db.rows) {
          if (id.startsWith(FLUSH_KEY)) continue;
          expect(row.final).toBe(true); // every window closed by the flush
          finals[id] = row.value;
        }
        expect(finals).toEqual(expected);
        // late records were counted exactly (restored counters included)
        expect(db.state?.late).toBe(s.lateCount);
      }),
      { numRuns: 300 },
    );
  });
});

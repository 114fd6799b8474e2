import fc from 'fast-check';
import {
  normaliseChanges,
  type StoredState,
  windowSnapshotFromState,
  windowStoreChanges,
} from '../../postgres/state-codec';
import { sum } from './aggregators';
import type { StreamRecord, WindowRow } from './record';
import { batchAggregate, cutIntoBatches } from './spec-helpers';
import { type CloseBy, WindowedAggregation } from './windowed-aggregation';
import { hopping, tumbling, type WindowDefinition } from './windows';

const GRACE = 500;
const MAX_DELAY = 20_000;
const FLUSH_KEY = 'z/~flush';
const tenantOf = (key: string) => key.slice(0, key.indexOf('/'));

interface Scenario {
  window: WindowDefinition;
  closeBy: CloseBy;
  all: StreamRecord<number>[];
  batches: StreamRecord<number>[][];
  checkpointAfter: boolean[];
  crashAt: number[];
}

/**
 * Records with increasing event times, each delivered up to MAX_DELAY after the newest one before it (far beyond
 * grace: many arrive for windows already final), cut into random batches, with crashes at random steps.
 */
const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    window: fc.constantFrom(tumbling(1000), hopping(3000, 1000), tumbling(5000)),
    closeBy: fc.constantFrom<CloseBy>('partition', 'key', tenantOf),
    events: fc.array(
      fc.record({
        key: fc.constantFrom('t1/a', 't1/b', 't2/c', 't2/d'),
        gap: fc.integer({ min: 0, max: 1500 }),
        delay: fc.oneof(fc.integer({ min: 0, max: GRACE }), fc.integer({ min: 0, max: MAX_DELAY })),
        value: fc.integer({ min: -1000, max: 1000 }),
      }),
      { minLength: 1, maxLength: 120 },
    ),
    cuts: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 40 }),
    checkpoints: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
    crashes: fc.array(fc.nat(), { maxLength: 3 }),
  })
  .map(({ window, closeBy, events, cuts, checkpoints, crashes }) => {
    let t = 1_000_000;
    const timed = events.map((e) => {
      t += e.gap;
      return { ...e, ts: t };
    });
    // arrival order by ts + delay: when a record arrives, nothing newer than ts + delay has arrived before it
    const arrival = [...timed].sort((x, y) => x.ts + x.delay - (y.ts + y.delay));
    const all = arrival.map(
      (e): StreamRecord<number> => ({ key: e.key, value: e.value, timestamp: e.ts, partition: 0 }),
    );
    const stream = [...all, { key: FLUSH_KEY, value: 0, timestamp: t + 10 * MAX_DELAY, partition: 0 }];
    const batches = cutIntoBatches(stream, cuts);
    return {
      window,
      closeBy,
      all,
      batches,
      checkpointAfter: batches.map((_, b) => checkpoints[b % checkpoints.length]),
      crashAt: crashes.map((c) => c % batches.length),
    };
  });

interface StoredRow {
  value: number;
  version: number;
  revision: number;
  final: boolean;
}

/** A stand-in for Postgres: result rows, the state rows (meta + one per key, as the codec writes them), the offset. */
class FakeCheckpoint {
  rows = new Map<string, StoredRow>();
  state: StoredState | undefined;
  nextBatch = 0;

  commit(pending: WindowRow<number>[], engine: WindowedAggregation<number, number, number>, nextBatch: number): void {
    for (const row of pending) {
      const id = `${row.key}@${row.windowStart}`;
      const old = this.rows.get(id);
      if (old !== undefined) {
        if (row.version <= old.version) throw new Error(`version of ${id} went from ${old.version} to ${row.version}`);
        if (old.final && !row.final) throw new Error(`${id} went back to not final`);
        if (row.revision < old.revision) throw new Error(`revision of ${id} went back`);
      }
      if (row.restated !== row.revision > (old?.revision ?? 0))
        throw new Error(`${id}: restated without a new revision`);
      this.rows.set(id, { value: row.value, version: row.version, revision: row.revision, final: row.final });
    }
    pending.length = 0;
    const changes = windowStoreChanges(engine.changes(0));
    const { upserts, deletes } = normaliseChanges(JSON.parse(JSON.stringify(changes)));
    const entries = new Map(this.state?.entries ?? []);
    for (const k of deletes) entries.delete(k);
    for (const [k, v] of upserts) entries.set(k, v);
    this.state = { meta: JSON.parse(JSON.stringify(changes.meta)), entries: [...entries] };
    engine.markCheckpointed(0);
    this.nextBatch = nextBatch;
  }
}

function run(s: Scenario): { db: FakeCheckpoint; late: number } {
  const db = new FakeCheckpoint();
  const pending: WindowRow<number>[] = [];
  const make = () => {
    const e = new WindowedAggregation({
      window: s.window,
      aggregator: sum(),
      grace: GRACE,
      restateForMs: MAX_DELAY,
      closeBy: s.closeBy,
      sink: pending,
      mode: 'replay',
    });
    e.restore(0, windowSnapshotFromState<number>(db.state));
    return e;
  };
  let engine = make();
  const crashes = new Set(s.crashAt);
  for (let b = 0; b < s.batches.length; b++) {
    if (crashes.delete(b)) {
      // the process dies: everything since the last commit is lost; restart from the checkpoint
      pending.length = 0;
      engine = make();
      b = db.nextBatch - 1;
      continue;
    }
    engine.process(s.batches[b]);
    if (s.checkpointAfter[b]) db.commit(pending, engine, b + 1);
  }
  db.commit(pending, engine, s.batches.length);
  return { db, late: engine.stats(0).late };
}

describe('restateForMs ≥ the largest delay: whatever the arrival order, batching, closing and crashes', () => {
  it('leaves in the final rows (the last version of each window) the batch result of ALL records', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { db, late } = run(s);
        expect(late).toBe(0);
        const finals: Record<string, number> = {};
        for (const [id, row] of db.rows) {
          if (id.startsWith(FLUSH_KEY)) continue;
          expect(row.final).toBe(true); // the flush passed every horizon
          finals[id] = row.value;
        }
        expect(finals).toEqual(batchAggregate(s.all, s.window, sum()));
      }),
      { numRuns: 300 },
    );
  });
});

import {
  CheckpointStore,
  type ConsumedMessage,
  ProcessorCore,
  TimeseriesData,
  type WindowRow,
} from '@switchboard/streams';
import fc from 'fast-check';
import type { PoolClient } from 'pg';
import { uniqueName } from '../support/env';
import { ProcessorTables } from '../support/processor-tables';
import { sumTopology } from '../support/sum-topology';

// Property, on the real Postgres: random inputs (out of order within grace, repeated values, records late
// beyond grace) on two partitions, fed in random batches with checkpoints at random points and crashes at
// random steps (the processor dropped without a checkpoint, a new one restored from Postgres and fed again
// from the checkpointed offsets), some of them fed while a checkpoint transaction runs. The rows in Postgres equal a plain batch computation, and no row is ever
// written with a version that is not newer than the one stored.
const WINDOW = 10_000;
const GRACE = 5_000;
const T0 = Date.UTC(2026, 0, 5);

interface Row {
  key: string;
  ts: number;
  v: number;
}

/** The batch computation: per partition in offset order, late = window end + grace ≤ stream time. */
function batch(partitions: Row[][]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const rows of partitions) {
    let streamTime = Number.NEGATIVE_INFINITY;
    for (const r of rows) {
      streamTime = Math.max(streamTime, r.ts);
      const start = r.ts - (((r.ts % WINDOW) + WINDOW) % WINDOW);
      if (start + WINDOW + GRACE <= streamTime) continue; // late: changes nothing
      const id = `${r.key}@${start}`;
      totals.set(id, (totals.get(id) ?? 0) + r.v);
    }
  }
  return totals;
}

const rowArb = fc.record({
  key: fc.constantFrom('m1', 'm2', 'm3', 'm4'),
  step: fc.integer({ min: 0, max: 4000 }), // event time moves on
  jitter: fc.integer({ min: -2000, max: 2000 }), // within grace
  late: fc.boolean().map((b) => b && Math.random() < 0.15), // now and then, far behind: late beyond grace
  v: fc.integer({ min: 1, max: 9 }),
});

type Action =
  | { kind: 'feed'; partition: number; size: number }
  | { kind: 'checkpoint' }
  | { kind: 'feed-during-checkpoint'; partition: number; size: number }
  | { kind: 'crash' };
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('feed' as const),
      partition: fc.constantFrom(0, 1),
      size: fc.integer({ min: 1, max: 8 }),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'checkpoint' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('feed-during-checkpoint' as const),
      partition: fc.constantFrom(0, 1),
      size: fc.integer({ min: 1, max: 8 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'crash' as const }) },
);

describe('StreamProcessor core: crash and restart from Postgres equals the batch result', () => {
  const tables = new ProcessorTables();
  const { pool, prefix, table } = tables;

  beforeAll(() => tables.setUp());
  afterAll(() => tables.tearDown());

  it('holds for random inputs, batches, checkpoints and crashes', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowArb, { minLength: 1, maxLength: 50 }),
        fc.array(rowArb, { maxLength: 50 }),
        fc.array(actionArb, { maxLength: 30 }),
        async (in0, in1, actions) => {
          const id = `r${run++}`;
          // A key lives in one partition (the stream id is the Kafka key), so each partition has its own keys.
          const toRows = (input: typeof in0, p: number): Row[] => {
            let base = T0;
            return input.map((r) => {
              base += r.step;
              return {
                key: `${id}:p${p}-${r.key}`,
                ts: r.late ? base - WINDOW - GRACE - 3000 : base + r.jitter,
                v: r.v,
              };
            });
          };
          const partitions = [toRows(in0, 0), toRows(in1, 1)];
          const messages: ConsumedMessage[][] = partitions.map((rows, p) =>
            rows.map((r, offset) => {
              const data = new TimeseriesData();
              data.setNumeric(data.addRow(r.ts), 'v', r.v);
              return { partition: p, offset: String(offset), streamId: r.key, message: { kind: 'timeseries', data } };
            }),
          );

          const regressions: string[] = [];
          const group = uniqueName('g');
          const store = new CheckpointStore({ pool, tablePrefix: prefix });
          const newProcessor = () => {
            const topology = sumTopology({ table, windowMs: WINDOW, graceMs: GRACE });
            const write = topology.writeResults.bind(topology);
            topology.writeResults = async (client: PoolClient, results: WindowRow<number>[]) => {
              // Every written version must be newer than the stored one: versions never go backwards.
              const stored = await client.query<{ key: string; window_start: string; version: number }>(
                `SELECT key, window_start, version FROM ${table} WHERE key LIKE $1`,
                [`${id}:%`],
              );
              const have = new Map(stored.rows.map((r) => [`${r.key}@${r.window_start}`, r.version]));
              for (const r of results) {
                const before = have.get(`${r.key}@${r.windowStart}`);
                if (before !== undefined && r.version <= before)
                  regressions.push(`${r.key}@${r.windowStart} v${before} → v${r.version}`);
              }
              await write(client, results);
            };
            return new ProcessorCore({ group, topic: 'input', ownerId: id, store, topology, logger: console });
          };

          let core = newProcessor();
          const next = [0, 0];
          const start = async () => {
            const positions = await core.assign([0, 1]);
            for (const p of [0, 1]) next[p] = Number(positions.get(p) ?? 0);
          };
          await start();
          const feed = async (p: number, size: number) => {
            const slice = messages[p].slice(next[p], next[p] + size);
            if (slice.length === 0) return;
            await core.process(p, slice, slice[slice.length - 1].offset);
            next[p] += slice.length;
          };
          for (const a of actions) {
            if (a.kind === 'feed') await feed(a.partition, a.size);
            else if (a.kind === 'checkpoint') await core.checkpoint();
            else if (a.kind === 'feed-during-checkpoint') {
              // Batches go on while the transaction runs; they belong to the next checkpoint.
              const running = core.checkpoint();
              await feed(a.partition, a.size);
              await running;
            } else {
              core = newProcessor(); // the old one is dropped mid-run: no checkpoint
              await start();
            }
          }
          for (const p of [0, 1]) await feed(p, messages[p].length);
          await core.checkpoint();

          const stored = await pool.query<{ key: string; window_start: string; total: string }>(
            `SELECT key, window_start, total FROM ${table} WHERE key LIKE $1`,
            [`${id}:%`],
          );
          const got = new Map(stored.rows.map((r) => [`${r.key}@${r.window_start}`, Number(r.total)]));
          expect(got).toEqual(batch(partitions));
          expect(regressions).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});

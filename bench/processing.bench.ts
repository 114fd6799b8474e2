import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  createStreamsSchema,
  dropStreamsSchema,
  StreamingClient,
  type StreamProducer,
  type StreamsLogger,
  type WindowRow,
} from '@switchboard/streams';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { testClientOptions, testEnv } from '../test/support/env';
import { createSumTable, sumTopology } from '../test/support/sum-topology';
import { type BenchRow, type BenchSuite, cpuMicros, perSecond } from './harness';
import { machineCpu } from './proc-stats';

const { databaseUrl } = testEnv;
const ROWS = Number(process.env.BENCH_PROCESSING_ROWS ?? 300_000);
/**
 * The runs: in order without restatement (what the suite measured before), in order with closed windows kept for the
 * default horizon (7 days + 5 min + grace: the state it costs), and a backfill of closed windows — every minute's
 * round arrives after the one following it, so each row lands in a window stream time already closed and restates it.
 */
const HORIZON_MS = 7 * 86_400_000 + 5 * 60_000 + 60_000;
type Order = 'in order' | 'backfill';
type Run = { keys: number; order: Order; restateForMs?: number };
const RUNS: Run[] = [
  { keys: 10_000, order: 'in order' },
  { keys: 10_000, order: 'in order', restateForMs: HORIZON_MS },
  { keys: 10_000, order: 'backfill', restateForMs: HORIZON_MS },
  { keys: 100_000, order: 'in order' },
];
export const WINDOW_MS = 60_000;
export const GRACE_MS = 10_000;
/** The processor's checkpoint interval (its default); the Kafka Streams peer commits at the same interval. */
export const CHECKPOINT_INTERVAL_MS = 500;
/** Every key (a meter) reports once per minute of event time, as in the simulator's default. */
const INTERVAL_MS = 60_000;
const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const TIMEOUT_MS = Number(process.env.BENCH_PROCESSING_TIMEOUT_MS ?? 150_000);
const quiet: StreamsLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const uid = () => `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

/**
 * The dataset, row i of n over `keys` keys: key i % keys; rounds of one reading per key, one round per minute of
 * event time, each key at its own phase inside the minute (so event time only moves forward); integer values.
 * At 10k keys that is 30 windows per key (each with one row) at the default 300k rows, at 100k keys 3.
 */
export function datum(i: number, keys: number, order: Order = 'in order'): { key: number; ts: number; v: number } {
  const key = i % keys;
  const rounds = Math.ceil(ROWS / keys);
  // Backfill: the rounds newest first; the values stay those of row i, so the expected total is the same.
  const round = order === 'backfill' ? rounds - 1 - Math.floor(i / keys) : Math.floor(i / keys);
  return { key, ts: T0 + round * INTERVAL_MS + Math.floor((key * INTERVAL_MS) / keys), v: 1 + ((i * 7919) % 1000) };
}

export function expectedTotal(rows: number, keys: number): number {
  let total = 0;
  for (let i = 0; i < rows; i++) total += datum(i, keys).v;
  return total;
}

/**
 * A keyed tumbling-window sum (test/support/sum-topology: 1-minute windows, 10 s grace, emit current, replay mode)
 * run by one in-process StreamProcessor over a backlog on a real 2-partition topic, checkpointed to Postgres.
 * The backlog is produced first by a child process (libs/streams producer, one row per stream message), so the
 * producer's CPU and memory are not in the figures; the clock runs from the processor's first batch until its
 * checkpoints in Postgres reached the topic's end offsets on both partitions.
 */
export function processingSuite(): BenchSuite {
  return {
    name: 'processing',
    description: `keyed tumbling-window sum (1 min, grace 10 s) over ${ROWS.toLocaleString()} rows from a 2-partition topic, one row per message, checkpointed to Postgres, one in-process StreamProcessor: in order without and with restatement (closed windows kept for the default horizon), and a backfill of closed windows (every row restates)`,
    async run(log) {
      const rows: BenchRow[] = [];
      for (const run of RUNS) rows.push(await runOne(run, log));
      return rows;
    },
  };
}

async function runOne(spec: Run, log: (line: string) => void): Promise<BenchRow> {
  const { keys, order } = spec;
  const id = uid();
  const topic = `bench-processing-${id}`;
  const kafka = new Kafka({ ...testEnv.kafkajs, clientId: `bench-${id}`, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  try {
    await admin.connect();
    log(`${keys.toLocaleString()} keys: producing ${ROWS.toLocaleString()} rows…`);
    const produced = await produceInChild(topic, keys, ROWS, order);
    log(
      `${keys.toLocaleString()} keys: produced in ${produced.seconds} s (${perSecond(ROWS, produced.seconds * 1000)} rows/s); processing…`,
    );
    const run = await processTopic({ topic, keys, rows: ROWS, log, restateForMs: spec.restateForMs });
    return {
      keys,
      order,
      restatement: spec.restateForMs === undefined ? 'off' : 'default horizon',
      rows: ROWS,
      messages: produced.messages,
      'produce s': produced.seconds,
      ...run.row,
    };
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

export interface ProcessTopicOptions {
  topic: string;
  keys: number;
  rows: number;
  log: (line: string) => void;
  /** Keep closed windows this long and restate them (the library's `restateForMs`); unset: off. */
  restateForMs?: number;
  /** Called with the result table (key, window_start, window_end, total, version, is_final) before it is dropped. */
  inspect?: (pool: Pool, table: string) => Promise<void>;
}

export interface ProcessTopicResult {
  row: BenchRow;
  ms: number;
  cpuMicros: number;
  /** Busy jiffies (1/100 s of one core) of the whole machine over the same interval. */
  machineJiffies: number;
  peakRssMiB: number;
}

/**
 * One in-process StreamProcessor runs the sum topology over a topic from its start, in a fresh group, until its
 * checkpoints in Postgres reached the topic's end offsets on every partition.
 */
export async function processTopic(opts: ProcessTopicOptions): Promise<ProcessTopicResult> {
  const { topic, keys, log } = opts;
  const id = uid();
  const group = `bench-processing-${id}`;
  const table = `bench_sums_${id}`;
  const prefix = `bench_${id}_`;
  const pool = new Pool({ connectionString: databaseUrl, max: 4 });
  const kafka = new Kafka({ ...testEnv.kafkajs, clientId: `bench-${id}`, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  let client: StreamingClient | undefined;
  try {
    await admin.connect();
    await createStreamsSchema(pool, prefix);
    await createSumTable(pool, table);
    const ends = new Map(
      (await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)] as [number, bigint]),
    );
    log(`${keys.toLocaleString()} keys: end offsets ${[...ends].map(([p, o]) => `${p}:${o}`).join(' ')}`);

    client = new StreamingClient({
      ...testClientOptions(`bench-${id}`),
      logger: { ...quiet, warn: (m) => log(`warn: ${m}`), error: (m) => log(`error: ${m}`) },
    });
    const inner = sumTopology({ table, windowMs: WINDOW_MS, graceMs: GRACE_MS, restateForMs: opts.restateForMs });
    let firstAt = 0;
    let cpu0 = 0;
    let machine0 = machineCpu();
    let processedRows = 0;
    const topology = {
      ...inner,
      process(partition: number, messages: Parameters<typeof inner.process>[1]) {
        if (firstAt === 0) {
          firstAt = performance.now();
          cpu0 = cpuMicros();
          machine0 = machineCpu();
        }
        for (const m of messages) if (m.message.kind === 'timeseries') processedRows += m.message.data.length;
        inner.process(partition, messages);
      },
    };
    const processor = client.getStreamProcessor<WindowRow<number>>(topic, {
      consumerGroup: group,
      pool,
      tablePrefix: prefix,
      topology,
      checkpointIntervalMs: CHECKPOINT_INTERVAL_MS,
    });

    const mem = { rssBefore: process.memoryUsage.rss(), rss: 0, heap: 0 };
    const sample = () => {
      const m = process.memoryUsage();
      if (m.rss > mem.rss) mem.rss = m.rss;
      if (m.heapUsed > mem.heap) mem.heap = m.heapUsed;
    };
    sample();
    const sampler = setInterval(sample, 100);

    const durationOf = new Map<object, number>();
    let joined = 0;
    let restarts = 0;
    const committed = new Map<number, bigint>();
    const done = new Promise<{ at: number; cpu: number }>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `not caught up after ${TIMEOUT_MS} ms: committed ${[...committed].map(([p, o]) => `${p}:${o}`).join(' ') || 'nothing'}, end ${[...ends].map(([p, o]) => `${p}:${o}`).join(' ')}`,
            ),
          ),
        TIMEOUT_MS,
      );
      processor.on('restart', (e) => {
        restarts++;
        log(`restart: ${e.reason}`);
      });
      processor.on('checkpoint', (e) => {
        // A checkpoint asked for while one is in flight joins it, and each caller emits the event with the same
        // partitions array: count it once, with the first caller's (longest) duration.
        const seen = durationOf.get(e.partitions);
        durationOf.set(e.partitions, Math.max(seen ?? 0, e.durationMs));
        if (seen !== undefined) {
          joined++;
          return;
        }
        for (const p of e.partitions) committed.set(p.partition, BigInt(p.offset));
        if ([...ends].every(([p, end]) => end === 0n || (committed.get(p) ?? -1n) >= end)) {
          clearTimeout(timer);
          resolve({ at: performance.now(), cpu: cpuMicros() });
        }
      });
    });
    await processor.start();
    const end = await done;
    const machineJiffies = machineCpu().busy - machine0.busy;
    clearInterval(sampler);
    sample();
    const ms = end.at - firstAt;
    const cpu = end.cpu - cpu0;
    const rows = opts.rows;

    const check = await pool.query<{ n: string; finals: string; total: string | null }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE is_final) AS finals, sum(total) AS total FROM ${table}`,
    );
    const expected = expectedTotal(rows, keys);
    const got = Number(check.rows[0].total ?? 0);
    // Each row opens a window of its key and every window holds one row: Σ window totals = Σ values exactly.
    if (got !== expected) log(`MISMATCH: Σ totals in Postgres ${got}, produced ${expected}`);
    await opts.inspect?.(pool, table);
    const durations = [...durationOf.values()];
    const sorted = [...durations].sort((a, b) => a - b);
    const mib = (b: number) => Number((b / 2 ** 20).toFixed(0));
    const figures = inner.figures();
    return {
      ms,
      cpuMicros: cpu,
      machineJiffies,
      peakRssMiB: mib(mem.rss),
      row: {
        restatements: figures.restatements,
        'closed windows kept': figures.closedWindows,
        'state MiB (estimate)': Number((figures.stateBytes / 2 ** 20).toFixed(1)),
        seconds: Number((ms / 1000).toFixed(2)),
        'rows/s': perSecond(rows, ms),
        'cpu µs/row': Number((cpu / rows).toFixed(1)),
        'cpu %': Math.round((cpu / 1000 / ms) * 100),
        checkpoints: durations.length,
        'ckpt events joined': joined,
        'ckpt mean ms': Math.round(durations.reduce((a, b) => a + b, 0) / Math.max(1, durations.length)),
        'ckpt p99 ms': sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? 0,
        'ckpt max ms': sorted[sorted.length - 1] ?? 0,
        'result rows': Number(check.rows[0].n),
        'final rows': Number(check.rows[0].finals),
        exact: got === expected && processedRows === rows ? 'yes' : `no (${processedRows} rows seen)`,
        restarts,
        'rss before MiB': mib(mem.rssBefore),
        'peak rss MiB': mib(mem.rss),
        'peak heap MiB': mib(mem.heap),
      },
    };
  } finally {
    await client?.close().catch(() => undefined);
    await pool.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await dropStreamsSchema(pool, prefix).catch(() => undefined);
    await pool.end().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

/** Produces the backlog in a child process (this file, `produce` mode); resolves with its figures. */
export function produceInChild(
  topic: string,
  keys: number,
  rows: number,
  order: Order = 'in order',
): Promise<{ seconds: number; messages: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', __filename, 'produce', topic, String(keys), String(rows), order],
      { cwd: join(__dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`backlog producer exited with ${code}: ${out}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? ''));
      } catch {
        reject(new Error(`backlog producer said: ${out}`));
      }
    });
  });
}

/** The child's side: one row per stream message (each key's rows of one event-loop turn leave together). */
async function produceBacklog(topic: string, keys: number, rows: number, order: Order): Promise<void> {
  const client = new StreamingClient({ ...testClientOptions(`bench-producer-${uid()}`), logger: quiet });
  try {
    const producer = await client.getTopicProducer(topic);
    const streams: StreamProducer[] = [];
    const stream = (k: number) => {
      streams[k] ??= producer.getOrCreateStream(`meter-${k}`);
      return streams[k];
    };
    // A turn never holds two rows of one key, so every row is a message of its own; flushing the streams of
    // each 20,000 rows bounds what waits in memory.
    const turn = Math.min(5000, keys);
    const t0 = performance.now();
    let touched = new Set<StreamProducer>();
    for (let i = 0; i < rows; i++) {
      const d = datum(i, keys, order);
      const s = stream(d.key);
      s.timeseries.buffer.addTimestamp(d.ts).addValue('v', d.v).publish();
      touched.add(s);
      if ((i + 1) % turn === 0) await new Promise((r) => setImmediate(r));
      if ((i + 1) % 20_000 === 0) {
        const pending = touched;
        touched = new Set();
        await Promise.all([...pending].map((p) => p.flush()));
      }
    }
    await producer.flush();
    const seconds = Number(((performance.now() - t0) / 1000).toFixed(2));
    process.stdout.write(`${JSON.stringify({ seconds, messages: rows })}\n`);
  } finally {
    await client.close();
  }
}

if (require.main === module && process.argv[2] === 'produce') {
  const [, , , topic, keys, rows, order] = process.argv;
  produceBacklog(topic, Number(keys), Number(rows), order === 'backfill' ? 'backfill' : 'in order').then(
    () => process.exit(0),
    (err: Error) => {
      console.error(err.stack ?? err.message);
      process.exit(1);
    },
  );
}

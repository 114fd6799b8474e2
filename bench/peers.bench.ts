import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { testEnv } from '../test/support/env';
import { createTopicsWithLeaders } from './create-topics';
import type { BenchReport, BenchRow, BenchSuite } from './harness';
import { wireMessage } from './peers/clients';
import { energyJob } from './peers/energy';
import {
  compareSums,
  type Log,
  markdownTable,
  median,
  RUNS,
  rate,
  type Sample,
  sized,
  summarize,
  uid,
} from './peers/figures';
import { ensurePeerBuilt, runJava } from './peers/jvm';
import { type KafkaStreamsJob, kafkaStreamsRun } from './peers/kafka-streams-run';
import { CHECKPOINT_INTERVAL_MS, processTopic, produceInChild } from './processing.bench';

const PROCESSING_ROWS = sized('BENCH_PEERS_PROCESSING_ROWS', 300_000, 2_000);
const PROCESSING_KEYS = sized('BENCH_PEERS_PROCESSING_KEYS', 10_000, 200);
const CEILING_ROWS = sized('BENCH_PEERS_CEILING_ROWS', 300_000, 2_000);
const CLIENT_ROWS = sized('BENCH_PEERS_CLIENT_ROWS', 100_000, 2_000);
/** The Nest consumers upsert once per row; they get this long (from their first row) before their rate is read. */
const NEST_SECONDS = sized('BENCH_PEERS_NEST_SECONDS', 15, 20);
const { brokers, databaseUrl } = testEnv;
const ROOT = join(__dirname, '..');
/** The processing job in Kafka Streams: the output's value is the window's sum, a long. */
const WINDOW_SUM: KafkaStreamsJob<number> = {
  mainClass: 'io.switchboard.bench.WindowSum',
  decode: (value) => Number(value.readBigInt64BE(0)),
};

/**
 * Switchboard beside its peers, in one run, on one broker and one input per job, each job run RUNS times
 * (peers interleaved run by run, so a change in the machine's load falls on all of them):
 * - processing: the processing suite's keyed 1-minute tumbling sum (grace 10 s) over one topic of one-row
 *   `json/1` packets — our StreamProcessor (Postgres checkpoints), the Kafka Streams peer with 1 and 2 stream
 *   threads (exactly_once_v2, commit interval = our checkpoint interval) whose window sums are checked against
 *   our Postgres rows, and the NestJS docs' way (@EventPattern, one upsert per row) on Transport.KAFKA and on
 *   our StreamsTransport;
 * - ceiling: Kafka's ProducerPerformance / ConsumerPerformance (acks=-1, the one-row packet's value size) beside
 *   libs/streams producing and consuming one-row packets, and ingest's last figure as a share;
 * - client: kafkajs and @platformatic/kafka producing and consuming our wire format, 1 and 100 rows a message.
 */
export function peersSuite(): BenchSuite {
  return {
    name: 'peers',
    description: `Switchboard beside Kafka Streams, Kafka's perf tools, the NestJS Kafka transport and @platformatic/kafka; processing ${PROCESSING_ROWS.toLocaleString()} rows over ${PROCESSING_KEYS.toLocaleString()} keys, ceiling ${CEILING_ROWS.toLocaleString()} records, clients ${CLIENT_ROWS.toLocaleString()} rows; ${RUNS} run(s) each, median and range`,
    async run(log) {
      const version = ensurePeerBuilt(log);
      log(
        `Kafka Streams and kafka-tools ${version}; broker ${brokers.join(',')}; database ${new URL(databaseUrl).pathname.slice(1)}`,
      );
      const rows: BenchRow[] = [];
      for (const job of chosenJobs()) {
        const before = loadavg()[0].toFixed(2);
        const jobRows = await job(log);
        const after = loadavg()[0].toFixed(2);
        for (const r of jobRows) r.load = `${before} → ${after}`;
        log('');
        for (const line of markdownTable(jobRows)) log(line);
        log('');
        rows.push(...jobRows);
      }
      return rows;
    },
  };
}

// ---- figures -------------------------------------------------------------------------------------------------

const JOBS: Record<string, (log: Log) => Promise<BenchRow[]>> = {
  processing: processingJob,
  energy: energyJob,
  ceiling: ceilingJob,
  client: clientJob,
};

/** `BENCH_PEERS_JOBS=energy,client` runs some jobs of the suite; default all. */
function chosenJobs(): ((log: Log) => Promise<BenchRow[]>)[] {
  const names = (process.env.BENCH_PEERS_JOBS ?? Object.keys(JOBS).join(',')).split(',').filter(Boolean);
  const unknown = names.filter((n) => !(n in JOBS));
  if (unknown.length > 0)
    throw new Error(
      `BENCH_PEERS_JOBS: unknown job(s) ${unknown.join(', ')}; choose from ${Object.keys(JOBS).join(', ')}`,
    );
  return names.map((n) => JOBS[n]);
}

// ---- processing: ours, Kafka Streams, the NestJS way --------------------------------------------------------

async function processingJob(log: Log): Promise<BenchRow[]> {
  const job = 'processing';
  const topic = `bench-peers-processing-${uid()}`;
  const kafka = new Kafka({ clientId: `bench-peers-${uid()}`, brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    log(
      `${job}: producing ${PROCESSING_ROWS.toLocaleString()} one-row packets over ${PROCESSING_KEYS.toLocaleString()} keys…`,
    );
    const produced = await produceInChild(topic, PROCESSING_KEYS, PROCESSING_ROWS);
    log(`${job}: produced in ${produced.seconds} s`);
    const s: Record<string, Sample[]> = { ours: [], ks1: [], ks2: [], nestKafka: [], nestStreams: [] };
    let ours = new Map<string, number>();
    for (let run = 1; run <= RUNS; run++) {
      const o = await processTopic({
        topic,
        keys: PROCESSING_KEYS,
        rows: PROCESSING_ROWS,
        log: (l) => log(`${job} ours: ${l}`),
        inspect: async (pool, table) => {
          ours = await windowSums(pool, table);
        },
      });
      s.ours.push({
        rows: PROCESSING_ROWS,
        ms: o.ms,
        cpuMicros: o.cpuMicros,
        machineJiffies: o.machineJiffies,
        peakRssMiB: o.peakRssMiB,
        note: `exact in Postgres: ${o.row.exact}`,
      });
      log(`${job} run ${run}: ours ${Math.round(rate(s.ours[s.ours.length - 1]))} rows/s, ${ours.size} windows`);
      for (const threads of [1, 2]) {
        const k = await kafkaStreamsRun(admin, WINDOW_SUM, topic, threads, CHECKPOINT_INTERVAL_MS, ours);
        (threads === 1 ? s.ks1 : s.ks2).push(k);
        log(`${job} run ${run}: Kafka Streams ${threads} thread(s) ${Math.round(rate(k))} rows/s; ${k.note}`);
      }
      for (const transport of ['kafka', 'streams'] as const) {
        const n = await nestRun(transport, topic, ours);
        (transport === 'kafka' ? s.nestKafka : s.nestStreams).push(n);
        log(`${job} run ${run}: NestJS ${transport} ${Math.round(rate(n))} rows/s; ${n.note}`);
      }
    }
    const ref = s.ks1;
    const what = `${PROCESSING_ROWS.toLocaleString()} rows, ${PROCESSING_KEYS.toLocaleString()} keys, 1-min tumbling sum`;
    return [
      summarize(
        job,
        'Switchboard StreamProcessor (1 process)',
        `${what}, Postgres checkpoints every ${CHECKPOINT_INTERVAL_MS} ms`,
        s.ours,
        ref,
      ),
      summarize(
        job,
        'Kafka Streams 4.1.2, 1 thread (reference)',
        `${what}, exactly_once_v2, commit ${CHECKPOINT_INTERVAL_MS} ms`,
        s.ks1,
        ref,
      ),
      summarize(
        job,
        'Kafka Streams 4.1.2, 2 threads',
        `${what}, exactly_once_v2, commit ${CHECKPOINT_INTERVAL_MS} ms`,
        s.ks2,
        ref,
      ),
      summarize(
        job,
        'NestJS Transport.KAFKA @EventPattern',
        `${what}, upsert per row, at most ${NEST_SECONDS} s`,
        s.nestKafka,
        ref,
      ),
      summarize(
        job,
        'NestJS + our StreamsTransport @EventPattern',
        `${what}, upsert per row, at most ${NEST_SECONDS} s`,
        s.nestStreams,
        ref,
      ),
    ];
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

async function windowSums(pool: Pool, table: string): Promise<Map<string, number>> {
  const res = await pool.query<{ key: string; window_start: string; total: string }>(
    `SELECT key, window_start, total FROM ${table}`,
  );
  return new Map(res.rows.map((r) => [`${r.key}@${r.window_start}`, Number(r.total)]));
}

/** A TypeScript child of bench/peers/, compiled on the fly; its figures come back over IPC or on stdout. */
function spawnPeer(file: string, args: string[], channel: 'ipc' | 'pipe') {
  return spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'peers', file), ...args], {
    cwd: ROOT,
    stdio: channel === 'ipc' ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', 'pipe', 'inherit'],
  });
}

function nestRun(transport: 'kafka' | 'streams', topic: string, ours: Map<string, number>): Promise<Sample> {
  const id = uid();
  const table = `bench_peers_nest_${id}`;
  const group = `bench-peers-nest-${id}`;
  return new Promise<Sample>((resolve, reject) => {
    const child = spawnPeer('nest-sum.ts', [transport, topic, table, String(PROCESSING_ROWS), group], 'ipc');
    let timer: NodeJS.Timeout | undefined;
    let figures: Omit<Sample, 'note'> | undefined;
    child.on('message', (m: { first?: boolean } & Omit<Sample, 'note'>) => {
      if (m.first) timer = setTimeout(() => child.send('stop'), NEST_SECONDS * 1000);
      else {
        clearTimeout(timer);
        figures = m;
        child.send('exit');
      }
    });
    child.on('error', reject);
    child.on('exit', async (code) => {
      clearTimeout(timer);
      if (!figures) return reject(new Error(`the NestJS ${transport} consumer exited with ${code} and no figures`));
      const pool = new Pool({ connectionString: databaseUrl, max: 1 });
      try {
        const complete = figures.rows >= PROCESSING_ROWS;
        const note = complete
          ? `all rows in ${(figures.ms / 1000).toFixed(1)} s; vs ours: ${compareSums(ours, await windowSums(pool, table))}; not exactly-once`
          : `time-boxed at ${NEST_SECONDS} s from its first row (rows/s over the rows it reached); not exactly-once`;
        resolve({ ...figures, note });
      } catch (err) {
        reject(err);
      } finally {
        await pool.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
        await pool.end();
      }
    });
  });
}

/** Runs `fn` with a topic maker (2 partitions each); every topic it made is deleted afterwards. */
async function withTopics<T>(prefix: string, fn: (topic: () => Promise<string>) => Promise<T>): Promise<T> {
  const kafka = new Kafka({ clientId: `bench-peers-${uid()}`, brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topics: string[] = [];
  try {
    return await fn(async () => {
      const t = `${prefix}-${uid()}`;
      await createTopicsWithLeaders(admin, [{ topic: t, numPartitions: 2, replicationFactor: 1 }]);
      topics.push(t);
      return t;
    });
  } finally {
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  }
}

// ---- the ceiling: Kafka's own perf tools --------------------------------------------------------------------

async function ceilingJob(log: Log): Promise<BenchRow[]> {
  const job = 'ceiling';
  const recordSize = wireMessage(0, 1).value.length;
  return withTopics('bench-peers-ceiling', async (topic) => {
    // JVM start-up is in a tool's CPU: one 1-record run of each measures it, and it is subtracted.
    const warm = await topic();
    const pp = (t: string, n: number) =>
      runJava('org.apache.kafka.tools.ProducerPerformance', [
        '--topic',
        t,
        '--num-records',
        String(n),
        '--record-size',
        String(recordSize),
        '--throughput',
        '-1',
        '--producer-props',
        `bootstrap.servers=${brokers.join(',')}`,
        'acks=-1',
      ]);
    const cp = (t: string, n: number) =>
      runJava('org.apache.kafka.tools.ConsumerPerformance', [
        '--bootstrap-server',
        brokers.join(','),
        '--topic',
        t,
        '--messages',
        String(n),
        '--group',
        `bench-peers-cp-${uid()}`,
      ]);
    const ppBase = await pp(warm, 1);
    const cpBase = await cp(warm, 1);
    const s: Record<string, Sample[]> = { pp: [], cp: [], sp: [], sc: [] };
    for (let run = 1; run <= RUNS; run++) {
      const t = await topic();
      const p = await pp(t, CEILING_ROWS);
      const perSec = Number(/records sent, ([\d.]+) records\/sec/.exec(p.out)?.[1] ?? 0);
      s.pp.push(jvmSample(CEILING_ROWS, (CEILING_ROWS / perSec) * 1000, p, ppBase));
      const c = await cp(t, CEILING_ROWS);
      const csv =
        c.out
          .trim()
          .split('\n')
          .pop()
          ?.split(',')
          .map((x) => x.trim()) ?? [];
      // fetch.nMsg.sec: records/s while fetching, without the group's join.
      const cPerSec = Number(csv[9] ?? 0);
      s.cp.push(jvmSample(CEILING_ROWS, (CEILING_ROWS / cPerSec) * 1000, c, cpBase));
      const t2 = await topic();
      s.sp.push(await clientRun('libs-streams', 'produce', t2, CEILING_ROWS, 1));
      s.sc.push(await clientRun('libs-streams', 'consume', t2, CEILING_ROWS, 1));
      log(
        `${job} run ${run}: ProducerPerformance ${Math.round(perSec)}/s, ConsumerPerformance ${Math.round(cPerSec)}/s, libs/streams ${Math.round(rate(s.sp[s.sp.length - 1]))} / ${Math.round(rate(s.sc[s.sc.length - 1]))} rows/s`,
      );
    }
    const what = `${CEILING_ROWS.toLocaleString()} records of ${recordSize} B, acks=-1`;
    const rows = [
      summarize(job, 'Kafka ProducerPerformance (reference)', `produce, ${what}`, s.pp),
      summarize(job, 'libs/streams produce, one-row packets', `produce, ${what} (+ key and 2 headers)`, s.sp, s.pp),
      summarize(job, 'Kafka ConsumerPerformance (reference)', `consume, ${what}`, s.cp),
      summarize(job, 'libs/streams consume, one-row packets', `consume, ${what} (+ key and 2 headers)`, s.sc, s.cp),
    ];
    const ingest = ingestShare(median(s.pp.map(rate)));
    if (ingest) rows.push(ingest);
    return rows;
  });
}

function jvmSample(
  rows: number,
  ms: number,
  run: Awaited<ReturnType<typeof runJava>>,
  base: Awaited<ReturnType<typeof runJava>>,
): Sample {
  const machine = (r: typeof run) => r.machineAtExit.busy - r.machineAtStart.busy;
  return {
    rows,
    ms,
    cpuMicros: Math.max(0, run.cpuMicros - base.cpuMicros),
    machineJiffies: Math.max(0, machine(run) - machine(base)),
    peakRssMiB: run.peakRssMiB,
    note: 'CPU: JVM less a 1-record run of the same tool',
  };
}

/** Ingest's best events/s from the last `ingest` suite run (bench/results/ingest.json), as a share of the ceiling. */
function ingestShare(ceiling: number): BenchRow | undefined {
  const file = join(__dirname, 'results', 'ingest.json');
  if (!existsSync(file)) return undefined;
  const report = JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
  const best = report.rows.reduce<BenchRow | undefined>(
    (b, r) => (Number(r['events/s'] ?? 0) > Number(b?.['events/s'] ?? 0) ? r : b),
    undefined,
  );
  if (!best) return undefined;
  const eps = Number(best['events/s']);
  return {
    job: 'ceiling',
    peer: 'ingest (HTTP → Kafka), from its last run',
    what: `${best['events/request'] ?? best.batch ?? '?'} events/request, acks=all`,
    runs: 1,
    'records/s': eps,
    'range records/s': '',
    'cpu s / 1M (process)': Number(best['cpu µs/event'] ?? 0),
    'cpu s / 1M (machine)': '',
    'peak rss MiB': '',
    'vs reference': `${(eps / ceiling).toFixed(2)}×`,
    notes: `bench/results/ingest.json of ${report.startedAt} (load ${report.machine.loadavgBefore[0]}), not this run`,
  };
}

// ---- the client: kafkajs and @platformatic/kafka on our wire format ------------------------------------------

async function clientJob(log: Log): Promise<BenchRow[]> {
  const job = 'client';
  return withTopics('bench-peers-client', async (topic) => {
    const rows: BenchRow[] = [];
    for (const r of [1, 100]) {
      const s: Record<string, Sample[]> = { kp: [], kc: [], pp: [], pc: [] };
      for (let run = 1; run <= RUNS; run++) {
        for (const impl of ['kafkajs', 'platformatic'] as const) {
          const t = await topic();
          const p = await clientRun(impl, 'produce', t, CLIENT_ROWS, r);
          const c = await clientRun(impl, 'consume', t, CLIENT_ROWS, r);
          s[impl === 'kafkajs' ? 'kp' : 'pp'].push(p);
          s[impl === 'kafkajs' ? 'kc' : 'pc'].push(c);
          log(
            `${job} ${r} row(s)/message run ${run}: ${impl} produce ${Math.round(rate(p))}, consume ${Math.round(rate(c))} rows/s`,
          );
        }
      }
      const what = `${CLIENT_ROWS.toLocaleString()} rows, ${r} row(s)/message, json/1`;
      rows.push(
        summarize(job, 'kafkajs 2.2.4 produce (reference)', `${what}, batches of 1,000 messages, acks=-1`, s.kp),
        summarize(job, '@platformatic/kafka 1.35.0 produce', `${what}, batches of 1,000 messages, acks=-1`, s.pp, s.kp),
        summarize(job, 'kafkajs 2.2.4 consume (reference)', `${what}, eachBatch + decode`, s.kc),
        summarize(job, '@platformatic/kafka 1.35.0 consume', `${what}, stream + decode`, s.pc, s.kc),
      );
    }
    return rows;
  });
}

function clientRun(
  impl: string,
  op: 'produce' | 'consume',
  topic: string,
  rows: number,
  perMessage: number,
): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const child = spawnPeer('clients.ts', [impl, op, topic, String(rows), String(perMessage)], 'pipe');
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${impl} ${op} exited with ${code}: ${out}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as Sample);
      } catch {
        reject(new Error(`${impl} ${op} said: ${out}`));
      }
    });
  });
}

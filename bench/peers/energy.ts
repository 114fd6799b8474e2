import { Logger } from '@nestjs/common';
import { namespaced, Topics } from '@switchboard/domain';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { simulate } from '../../apps/cli/src/simulate/generator';
import { standaloneStreamsPublisher } from '../../apps/ingest/src/publishing/streams-event-publisher';
import { AggregatorFleet } from '../../test/support/aggregator-fleet';
import { testEnv, uniqueName } from '../../test/support/env';
import { backlogSim, backlogStart, publishEvents } from '../backlog';
import type { BenchRow } from '../harness';
import { machineCpu, processCpuMicros, processRssMiB } from '../proc-stats';
import { CHECKPOINT_INTERVAL_MS } from '../processing.bench';
import { type Log, RUNS, rate, type Sample, sized, summarize } from './figures';
import { type KafkaStreamsJob, kafkaStreamsRun } from './kafka-streams-run';

const METERS = sized('BENCH_PEERS_ENERGY_METERS', 500, 20);
const MINUTES = sized('BENCH_PEERS_ENERGY_MINUTES', 60, 10);
/** The aggregator's defaults: event-time grace, and how long a quiet partition waits before following the wall clock. */
const GRACE_MS = 60_000;
const IDLE_MS = 10_000;
const DRAIN_TIMEOUT_MS = 300_000;
/** The aggregator's HTTP port: 47xx, away from the services' defaults and the other suites' ranges. */
const PORT = 4700 + Math.floor(Math.random() * 90);

/** A window's figures as both sides are compared by: "energy mWh/readings/resets". */
type WindowFigures = string;

/** The energy job in Kafka Streams (EnergySum.java); its output's value is three longs: energy mWh, readings, resets. */
const ENERGY_SUM: KafkaStreamsJob<WindowFigures> = {
  mainClass: 'io.switchboard.bench.EnergySum',
  extraArgs: [String(GRACE_MS)],
  decode: (v) => `${v.readBigInt64BE(0)}/${v.readBigInt64BE(8)}/${v.readBigInt64BE(16)}`,
};

/**
 * The aggregator's 15-minute energy per meter over one `events.meters` backlog (METERS meters reporting every 10 s
 * for MINUTES simulated minutes, with the backlog's duplicates, out-of-order readings and register resets),
 * published once as ingest publishes it:
 * - ours: the real aggregator app, one instance (a child process), timed from its energy group's first checkpoint
 *   to its checkpoint at the topic's end (the rows before the first checkpoint are left out of the rate);
 * - the reference: the Kafka Streams job in EnergySum.java with 1 and 2 stream threads, exactly_once_v2, commit
 *   interval = our checkpoint interval, the aggregator's grace; its output is compared with our
 *   `meter_energy_15m` rows: every window's energy, readings and resets.
 */
export async function energyJob(log: Log): Promise<BenchRow[]> {
  const job = 'energy';
  const namespace = uniqueName('bench-peers-energy');
  const tenant = uniqueName('bench-peers-energy');
  const input = namespaced(Topics.meters, namespace);
  const kafka = new Kafka({ ...testEnv.kafkajs, clientId: 'bench-peers-energy', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const pool = new Pool({ connectionString: testEnv.databaseUrl, max: 2 });
  const publisher = standaloneStreamsPublisher({
    brokers: testEnv.brokers,
    clientId: 'bench-peers-energy',
    kafka: testEnv.kafka,
    timeoutMs: 30_000,
    topicNamespace: namespace,
  });
  const groupPrefixes: string[] = [];
  // The publisher logs through Nest's default logger, which prints debug lines: keep warnings and errors.
  Logger.overrideLogger(['warn', 'error']);
  try {
    await admin.connect();
    const sim = { ...backlogSim(backlogStart()), meters: METERS, durationMs: MINUTES * 60_000, callsPerMinute: 0 };
    const readings = [...simulate(sim)].map((e) => e.event).filter((e) => e.type === 'meter.reading');
    const published = await publishEvents(publisher, tenant, readings);
    const messages = (await admin.fetchTopicOffsets(input)).reduce((n, o) => n + Number(o.high), 0);
    log(`${job}: ${published.summary}; ${messages.toLocaleString()} messages on ${input}`);
    const s: Record<string, Sample[]> = { ours: [], ks1: [], ks2: [] };
    let late = 0;
    for (let run = 1; run <= RUNS; run++) {
      const o = await aggregatorRun(pool, namespace, tenant, readings.length, messages, groupPrefixes);
      s.ours.push(o.sample);
      log(`${job} run ${run}: aggregator ${Math.round(rate(o.sample))} readings/s, ${o.rows.size} windows`);
      for (const threads of [1, 2]) {
        const k = await kafkaStreamsRun(admin, ENERGY_SUM, input, threads, CHECKPOINT_INTERVAL_MS, o.rows);
        late = Math.max(late, Number(k.done.late ?? 0));
        (threads === 1 ? s.ks1 : s.ks2).push(k);
        log(`${job} run ${run}: Kafka Streams ${threads} thread(s) ${Math.round(rate(k))} readings/s; ${k.note}`);
      }
    }
    const what = `${readings.length.toLocaleString()} readings of ${METERS.toLocaleString()} meters over ${MINUTES} min, 15-min energy`;
    const ksWhat = `${what}, exactly_once_v2, commit ${CHECKPOINT_INTERVAL_MS} ms, grace ${GRACE_MS / 1000} s`;
    const lateNote = late > 0 ? `; ${late} reading(s) dropped as late (ours restates)` : '';
    return [
      summarize(job, 'Switchboard aggregator (1 instance)', `${what}, Postgres checkpoints`, s.ours, s.ks1),
      summarize(job, 'Kafka Streams 4.1.2, 1 thread (reference)', `${ksWhat}${lateNote}`, s.ks1, s.ks1),
      summarize(job, 'Kafka Streams 4.1.2, 2 threads', `${ksWhat}${lateNote}`, s.ks2, s.ks1),
    ];
  } finally {
    await publisher.close().catch(() => undefined);
    const topics = (await admin.listTopics().catch(() => [] as string[])).filter(
      (t) => t.startsWith(`${namespace}.`) || groupPrefixes.some((g) => t.startsWith(`${g}.`)),
    );
    if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await pool.query('DELETE FROM meter_energy_15m WHERE tenant = $1', [tenant]).catch(() => undefined);
    await pool.end().catch(() => undefined);
  }
}

/**
 * One aggregator instance (its own consumer groups) drains the topic; returns its figures and the tenant's
 * `meter_energy_15m` rows as `<stream id>@<window start ms>` → "energy/readings/resets".
 */
async function aggregatorRun(
  pool: Pool,
  namespace: string,
  tenant: string,
  readings: number,
  messages: number,
  groupPrefixes: string[],
): Promise<{ sample: Sample; rows: Map<string, WindowFigures> }> {
  await pool.query('DELETE FROM meter_energy_15m WHERE tenant = $1', [tenant]);
  const fleet = new AggregatorFleet({
    graceMs: GRACE_MS,
    idleMs: IDLE_MS,
    port: PORT,
    extraEnv: { SWITCHBOARD_TOPIC_NAMESPACE: namespace },
  });
  groupPrefixes.push(fleet.groupPrefix);
  const child = fleet.start('energy');
  const pid = child.pid ?? 0;
  const group = `${fleet.groupPrefix}.energy`;
  const spawned = { at: performance.now(), committed: 0, cpu: 0, machine: machineCpu() };
  let first: { at: number; committed: number; cpu: number; machine: ReturnType<typeof machineCpu> } | undefined;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`the aggregator exited: ${fleet.log.slice(-20).join('\n')}`);
      if (performance.now() - spawned.at > DRAIN_TIMEOUT_MS)
        throw new Error(`the aggregator had not drained ${messages} messages after ${DRAIN_TIMEOUT_MS} ms`);
      const res = await pool.query<{ n: string | null }>(
        'SELECT sum(next_offset) AS n FROM streams_offsets WHERE consumer_group = $1',
        [group],
      );
      const committed = Number(res.rows[0].n ?? 0);
      const now = { at: performance.now(), committed, cpu: processCpuMicros(pid), machine: machineCpu() };
      if (!first && committed > 0) first = now;
      if (first && committed >= messages) {
        // A tiny input is all in the first checkpoint: then the time is from the spawn, start-up included.
        const from = first.committed < messages ? first : spawned;
        const share = (messages - from.committed) / messages;
        const sample: Sample = {
          rows: Math.round(readings * share),
          ms: now.at - from.at,
          cpuMicros: now.cpu - from.cpu,
          machineJiffies: now.machine.busy - from.machine.busy,
          peakRssMiB: processRssMiB(pid).peak,
          note:
            from === spawned
              ? 'all of it in its first checkpoint: timed from its spawn, start-up included'
              : `timed from its first checkpoint (${Math.round((1 - share) * 100)} % of the input, before it, left out)`,
        };
        return { sample, rows: await energyRows(pool, tenant) };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    const kill = setTimeout(() => void fleet.stop('energy', 'SIGKILL'), 20_000);
    await fleet.stop('energy', 'SIGTERM');
    clearTimeout(kill);
  }
}

async function energyRows(pool: Pool, tenant: string): Promise<Map<string, WindowFigures>> {
  const res = await pool.query<{ meter_id: string; w: string; energy_mwh: string; readings: number; resets: number }>(
    `SELECT meter_id, (extract(epoch FROM window_start) * 1000)::bigint::text AS w, energy_mwh, readings, resets
       FROM meter_energy_15m WHERE tenant = $1`,
    [tenant],
  );
  return new Map(res.rows.map((r) => [`${tenant}/${r.meter_id}@${r.w}`, `${r.energy_mwh}/${r.readings}/${r.resets}`]));
}

import type { ChildProcess } from 'node:child_process';
import { namespaced, Topics, toStreamRecord } from '@switchboard/domain';
import { streamsTables } from '@switchboard/streams';
import { Kafka, logLevel } from 'kafkajs';
import { Client, Pool } from 'pg';
import {
  DEFAULT_SIMULATION,
  type SimEvent,
  type SimulationOptions,
  simulate,
} from '../apps/cli/src/simulate/generator';
import { standaloneStreamsPublisher } from '../apps/ingest/src/publishing/streams-event-publisher';
import { AggregatorFleet } from '../test/support/aggregator-fleet';
import { testEnv, uniqueName } from '../test/support/env';
import { BACKLOG_MINUTES, backlogStart, mixOf, parsedEvent, publishBacklog } from './backlog';
import { type BenchRow, type BenchSuite, perSecond } from './harness';
import { ready } from './live-stack';
import { machineCpu, postgresCpuMicros, processCpuMicros, processRssMiB } from './proc-stats';

/** Event-time grace and idle of the instances: the app's defaults. */
const GRACE_MS = 60_000;
const IDLE_MS = 10_000;
const LIVE_SECONDS = Number(process.env.BENCH_AGGREGATOR_LIVE_SECONDS ?? 20);
const LIVE_TICK_MS = 100;
const DRAIN_TIMEOUT_MS = Number(process.env.BENCH_AGGREGATOR_TIMEOUT_MS ?? 120_000);
const DAY = 86_400_000;
const QUARTER = 15 * 60_000;
const MINUTE = 60_000;
/** HTTP ports of the instances: outside 3400–3800 (the fleet's default range, used by test runs). */
const PORT = 4800 + Math.floor(Math.random() * 150);

/** Live traffic (~250 events/s): 2,000 meters every 10 s, 600 calls a minute with enough agents, no anomalies. */
const liveSim = (start: number): SimulationOptions => ({
  ...DEFAULT_SIMULATION,
  seed: 7002,
  start,
  durationMs: LIVE_SECONDS * 1000,
  meters: 2000,
  meterIntervalMs: 10_000,
  callsPerMinute: 600,
  agents: 2200,
  anomalies: { duplicate: 0, outOfOrder: 0, late: 0, reset: 0 },
});

/** CPU seconds of a process, and of every Postgres process, from /proc. */
const procCpuSeconds = (pid: number) => processCpuMicros(pid) / 1e6;
const postgresCpuSeconds = () => postgresCpuMicros() / 1e6;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * q) - 1))];
}

interface Sample {
  kind: 'meter' | 'call' | 'agent';
  /** What the row must show: `m|meter|windowStart` readings ≥ need; `q|queue|windowStart` offered ≥ 1; `a|agent` since ≥ need. */
  key: string;
  need: number;
  ackAt?: number;
}

/**
 * Two aggregator instances (the real app as child processes, test/support/aggregator-fleet) on a fresh topic
 * namespace and tenant, Kafka and Postgres as `npm run bench` starts them.
 * 1. Throughput: a backlog of simulated events (both domains) is published as ingest publishes it (its
 *    StreamsEventPublisher, 400 events a request) before the instances start; the clock runs from the first
 *    checkpoint of any input group (Node start-up and the first ≤ 500 ms of work excluded: "incl. startup" is
 *    from the spawn) until the input groups (energy, agents, calls) have checkpointed in Postgres to the end of
 *    their input, no hop record waits in the outbox, and the queue stage has checkpointed past where the hop
 *    topic ended then (its end moves on with stage 1's idle time markers). CPU figures cover the same interval.
 * 2. Latency: with both instances caught up, live simulated events (timestamps = now) are published for
 *    LIVE_SECONDS; for a sample of them the figure is from the publish promise resolving (Kafka acks=all) to the
 *    start of the first query that sees the event's row change in Postgres. Queries run on every checkpoint's
 *    NOTIFY (sent right after its COMMIT) and every 50 ms, so the figure is an upper bound of the commit time
 *    within a few ms.
 */
export function aggregatorSuite(): BenchSuite {
  return {
    name: 'aggregator',
    description: `two aggregator instances (child processes): drain a ${BACKLOG_MINUTES}-minute simulated backlog (meters, calls, agents), then ingest-ack → Postgres commit latency of live events for ${LIVE_SECONDS} s`,
    run,
  };
}

async function run(log: (line: string) => void): Promise<BenchRow[]> {
  const namespace = uniqueName('bench-agg');
  const tenant = uniqueName('bench-tenant');
  const pool = new Pool({ connectionString: testEnv.databaseUrl, max: 4 });
  const fleet = new AggregatorFleet({
    graceMs: GRACE_MS,
    idleMs: IDLE_MS,
    port: PORT,
    extraEnv: { SWITCHBOARD_TOPIC_NAMESPACE: namespace },
  });
  const publisher = standaloneStreamsPublisher({
    brokers: testEnv.brokers,
    clientId: 'bench-aggregator',
    kafka: testEnv.kafka,
    timeoutMs: 30_000,
    topicNamespace: namespace,
  });
  const kafka = new Kafka({ ...testEnv.kafkajs, clientId: 'bench-aggregator', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const listener = new Client({ connectionString: testEnv.databaseUrl });
  const names = ['a', 'b'];
  const pids = new Map<string, number>();
  const children = new Map<string, ChildProcess>();
  const rows: BenchRow[] = [];
  try {
    await admin.connect();
    const inputs = {
      energy: [namespaced(Topics.meters, namespace)],
      agents: [namespaced(Topics.agents, namespace)],
      calls: [namespaced(Topics.calls, namespace)],
    };
    const hop = `${fleet.groupPrefix}.calls.by-queue`;
    const queueStageCaughtUp = fleet.queueStageCaughtUp(pool, inputs);

    // ---- 1. Throughput ----
    const backlog = await publishBacklog(publisher, tenant);
    const records = backlog.events;
    log(`namespace ${namespace}, tenant ${tenant}; ${backlog.summary}`);
    const messages = await totalOffsets(admin, inputs);
    log(`${messages.toLocaleString()} messages; starting two instances…`);

    const cpu0 = { machine: machineCpu(), pg: postgresCpuSeconds() };
    const spawnedAt = performance.now();
    for (const n of names) {
      const child = fleet.start(n);
      children.set(n, child);
      if (child.pid) pids.set(n, child.pid);
    }
    let readyAt = 0;
    const readiness = (async () => {
      while (!(await ready(PORT)) || !(await ready(PORT + 1))) await sleep(100);
      readyAt = performance.now();
    })();
    const pgActive: number[] = [];
    const activity = setInterval(() => {
      pool
        .query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid() AND query NOT LIKE '%pg_stat_activity%'`,
        )
        .then((r) => pgActive.push(r.rows[0].n))
        .catch(() => undefined);
    }, 250);
    let drainedAt = 0;
    let firstAt = 0;
    let cpuFirst = cpu0;
    let aggCpuFirst = [0, 0];
    let lastLog = performance.now();
    const groups = ['energy', 'agents', 'calls'].map((g) => `${fleet.groupPrefix}.${g}`);
    try {
      for (;;) {
        if (performance.now() - spawnedAt > DRAIN_TIMEOUT_MS)
          throw new Error(`not drained after ${DRAIN_TIMEOUT_MS} ms; fleet log: ${fleet.log.slice(-20).join('\n')}`);
        const exited = names.filter((n) => {
          const c = children.get(n);
          return c !== undefined && (c.exitCode !== null || c.signalCode !== null);
        });
        if (exited.length > 0)
          throw new Error(`instance(s) ${exited.join(', ')} exited: ${fleet.log.slice(-20).join('\n')}`);
        const done = await pool.query<{ n: string | null }>(
          'SELECT sum(next_offset) AS n FROM streams_offsets WHERE consumer_group = ANY($1)',
          [groups],
        );
        const committed = Number(done.rows[0].n ?? 0);
        if (firstAt === 0 && committed > 0) {
          // The first checkpoint of any input group: the instances are up and processing (start-up excluded).
          firstAt = performance.now();
          cpuFirst = { machine: machineCpu(), pg: postgresCpuSeconds() };
          aggCpuFirst = names.map((n) => procCpuSeconds(pids.get(n) as number));
        }
        if (committed >= messages && (await queueStageCaughtUp())) {
          drainedAt = performance.now();
          break;
        }
        if (performance.now() - lastLog > 5000) {
          lastLog = performance.now();
          log(
            `  ${((lastLog - spawnedAt) / 1000).toFixed(0)} s: ${committed.toLocaleString()} / ${messages.toLocaleString()} input messages checkpointed`,
          );
        }
        await sleep(100);
      }
    } finally {
      clearInterval(activity);
    }
    await readiness;
    const cpu1 = { machine: machineCpu(), pg: postgresCpuSeconds() };
    const drainS = (drainedAt - spawnedAt) / 1000;
    const processS = (drainedAt - firstAt) / 1000;
    const aggCpu = names.map((n, i) => procCpuSeconds(pids.get(n) as number) - aggCpuFirst[i]);
    const hopMessages = (await admin.fetchTopicOffsets(hop)).reduce((s, o) => s + Number(o.high), 0);
    const machineBusy = cpu1.machine.busyFraction(cpuFirst.machine);
    const restarts = fleet.log.filter((l) => /restarts:|fenced|failed to start/i.test(l));
    rows.push({
      phase: 'throughput',
      events: records.length,
      'input msgs': messages,
      'hop msgs': hopMessages,
      'first ckpt s': Number(((firstAt - spawnedAt) / 1000).toFixed(1)),
      'ready s': Number(((readyAt - spawnedAt) / 1000).toFixed(1)),
      'drain s': Number(processS.toFixed(1)),
      'events/s': perSecond(records.length, processS * 1000),
      'msgs/s': perSecond(messages, processS * 1000),
      'events/s incl. startup': perSecond(records.length, drainS * 1000),
      'agg cpu % (a/b)': aggCpu.map((c) => Math.round((c / processS) * 100)).join(' / '),
      'pg cpu %': Math.round(((cpu1.pg - cpuFirst.pg) / processS) * 100),
      'machine busy %': Math.round(machineBusy * 100),
      'pg active backends': Number((pgActive.reduce((a, b) => a + b, 0) / Math.max(1, pgActive.length)).toFixed(1)),
      'agg peak rss MiB': names.map((n) => processRssMiB(pids.get(n) as number).peak).join(' / '),
      restarts: restarts.length,
    });
    log(
      `drained ${drainS.toFixed(1)} s after spawn, ${processS.toFixed(1)} s after the first checkpoint; ${fleet.log.length} log lines from the instances (warn and above), ${restarts.length} restarts${restarts.length ? `: ${restarts.slice(0, 3).join(' | ')}` : ''}`,
    );
    for (const line of fleet.log.slice(0, 5)) log(`  ${line.slice(0, 300)}`);

    // ---- 1b. Backfill of closed windows ----
    // The same tenant's meters, queues and agents forward the BACKLOG_MINUTES before the backlog: every window they
    // land in is final by now (each meter's clock and the call stage are past them), so each restates (PRODUCT.md,
    // "Accepted means counted"). The rate beside the live drain's is the cost of restatement.
    {
      const before = await totalOffsets(admin, inputs);
      // The instances read while it is published, so the clock runs from the first publish to the drain. A checker
      // of its own: the first one keeps the hop topic's end it saw when stage 1 first caught up.
      const backfillCaughtUp = fleet.queueStageCaughtUp(pool, inputs);
      const t0 = performance.now();
      const cpuStart = { machine: machineCpu() };
      const aggStart = names.map((n) => procCpuSeconds(pids.get(n) as number));
      const published = await publishBacklog(publisher, tenant, backlogStart() - BACKLOG_MINUTES * MINUTE, 7002);
      const target = await totalOffsets(admin, inputs);
      log(`backfill: ${published.summary}`);
      for (;;) {
        if (performance.now() - t0 > DRAIN_TIMEOUT_MS)
          throw new Error(`backfill not drained after ${DRAIN_TIMEOUT_MS} ms`);
        const done = await pool.query<{ n: string | null }>(
          'SELECT sum(next_offset) AS n FROM streams_offsets WHERE consumer_group = ANY($1)',
          [groups],
        );
        if (Number(done.rows[0].n ?? 0) >= target && (await backfillCaughtUp())) break;
        await sleep(100);
      }
      const seconds = (performance.now() - t0) / 1000;
      const restated = await pool.query<{ energy: number; queues: number }>(
        `SELECT (SELECT count(*)::int FROM meter_energy_15m WHERE tenant = $1 AND revision > 0) AS energy,
                (SELECT count(*)::int FROM queue_stats_1m WHERE tenant = $1 AND revision > 0) AS queues`,
        [tenant],
      );
      const aggCpu = names.map((n, i) => procCpuSeconds(pids.get(n) as number) - aggStart[i]);
      rows.push({
        phase: 'backfill of closed windows',
        events: published.events.length,
        'input msgs': target - before,
        'publish s': Number(published.seconds.toFixed(1)),
        'drain s': Number(seconds.toFixed(1)),
        'events/s': perSecond(published.events.length, seconds * 1000),
        'msgs/s': perSecond(target - before, seconds * 1000),
        'restated rows (energy / queues)': `${restated.rows[0].energy} / ${restated.rows[0].queues}`,
        'agg cpu % (a/b)': aggCpu.map((c) => Math.round((c / seconds) * 100)).join(' / '),
        'machine busy %': Math.round(machineCpu().busyFraction(cpuStart.machine) * 100),
        'agg peak rss MiB': names.map((n) => processRssMiB(pids.get(n) as number).peak).join(' / '),
      });
      log(`backfill drained in ${seconds.toFixed(1)} s`);
    }

    // ---- 2. Latency ----
    await listener.connect();
    const liveStart = Date.now() + 500;
    const simStart = Math.floor(Date.now() / DAY) * DAY - DAY + 10.5 * 3600_000; // a busy morning, shifted to now
    const shift = liveStart - simStart;
    const live = [...simulate(liveSim(simStart))].map((e) => ({
      sendAt: e.sendAt + shift,
      event: { ...e.event, ts: e.event.ts + shift } as SimEvent,
    }));
    log(`live: ${live.length.toLocaleString()} events over ${LIVE_SECONDS} s (${mixOf(live.map((l) => l.event))})`);
    const pending: Sample[] = [];
    const latencies: Record<Sample['kind'], number[]> = { meter: [], call: [], agent: [] };
    const meterCounts = new Map<string, number>();
    const sampledMeters: string[] = [];
    const sampledAgents: string[] = [];
    let callNo = 0;
    let checking = false;
    let again = false;
    let checks = 0;
    const check = async (): Promise<void> => {
      if (checking) {
        again = true;
        return;
      }
      checking = true;
      try {
        do {
          again = false;
          const snapAt = performance.now();
          checks++;
          const r = await pool.query<{ k: string; id: string; w: string; n: string }>(
            `SELECT 'm' AS k, meter_id AS id, (extract(epoch FROM window_start) * 1000)::bigint::text AS w, readings::bigint::text AS n
               FROM meter_energy_15m WHERE tenant = $1 AND window_start >= to_timestamp($2 / 1000.0) AND meter_id = ANY($3)
             UNION ALL
             SELECT 'q', queue, (extract(epoch FROM window_start) * 1000)::bigint::text, offered::bigint::text
               FROM queue_stats_1m WHERE tenant = $1 AND window_start >= to_timestamp($2 / 1000.0) AND queue LIKE 'lat-%'
             UNION ALL
             SELECT 'a', agent_id, '', (extract(epoch FROM since) * 1000)::bigint::text
               FROM agent_status WHERE tenant = $1 AND agent_id = ANY($4)`,
            [tenant, liveStart - QUARTER, sampledMeters, sampledAgents],
          );
          const seen = new Map(
            r.rows.map((row) => [row.k === 'a' ? `a|${row.id}` : `${row.k}|${row.id}|${row.w}`, Number(row.n)]),
          );
          for (let i = 0; i < pending.length; i++) {
            const s = pending[i];
            if (s.ackAt === undefined) continue;
            if ((seen.get(s.key) ?? Number.NEGATIVE_INFINITY) >= s.need) {
              latencies[s.kind].push(snapAt - s.ackAt);
              pending.splice(i--, 1);
            }
          }
        } while (again);
      } finally {
        checking = false;
      }
    };
    const channel = streamsTables('streams_').outboxChannel;
    listener.on('notification', () => void check().catch(() => undefined));
    await listener.query(`LISTEN ${channel}`);
    const poller = setInterval(() => void check().catch(() => undefined), 50);
    let published = 0;
    let maxRequestMs = 0;
    try {
      let i = 0;
      while (i < live.length) {
        const now = Date.now();
        const batch: SimEvent[] = [];
        while (i < live.length && live[i].sendAt <= now) batch.push(live[i++].event);
        if (batch.length > 0) {
          const samples: Sample[] = [];
          for (const e of batch) {
            if (e.type === 'meter.reading') {
              if (Number(e.meterId.slice(-4)) % 20 !== 0) continue;
              if (!sampledMeters.includes(e.meterId)) sampledMeters.push(e.meterId);
              const key = `m|${e.meterId}|${e.ts - (e.ts % QUARTER)}`;
              const need = (meterCounts.get(key) ?? 0) + 1;
              meterCounts.set(key, need);
              samples.push({ kind: 'meter', key, need });
            } else if (e.type === 'call.started') {
              if (callNo++ % 2 !== 0) continue;
              // A queue of its own, so `offered` = 1 says exactly this call is in (calls of one queue cross partitions).
              e.queue = `lat-${callNo}`;
              samples.push({ kind: 'call', key: `q|${e.queue}|${e.ts - (e.ts % MINUTE)}`, need: 1 });
            } else if (e.type === 'agent.status') {
              if (Number(e.agentId.slice(-3)) % 5 !== 0) continue;
              if (!sampledAgents.includes(e.agentId)) sampledAgents.push(e.agentId);
              samples.push({ kind: 'agent', key: `a|${e.agentId}`, need: e.ts });
            }
          }
          pending.push(...samples);
          const sentAt = performance.now();
          await publisher.publish(batch.map((e) => toStreamRecord(tenant, parsedEvent(e))));
          const ackAt = performance.now();
          maxRequestMs = Math.max(maxRequestMs, ackAt - sentAt);
          for (const s of samples) s.ackAt = ackAt;
          published += batch.length;
        }
        await sleep(Math.max(0, Math.min(LIVE_TICK_MS, (live[i]?.sendAt ?? now) - Date.now())));
      }
      const waitUntil = performance.now() + 20_000;
      while (pending.length > 0 && performance.now() < waitUntil) await sleep(100);
    } finally {
      clearInterval(poller);
    }
    log(
      `live: published ${published.toLocaleString()} events (longest request ${Math.round(maxRequestMs)} ms), ${checks} checks, ${pending.length} samples never seen`,
    );
    const kinds: [Sample['kind'], string][] = [
      ['meter', 'meter.reading → meter_energy_15m'],
      ['agent', 'agent.status → agent_status'],
      ['call', 'call.started → queue_stats_1m (2 hops)'],
    ];
    const all = Object.values(latencies).flat();
    for (const [kind, label] of [...kinds, ['all', 'all samples'] as const]) {
      const values = (kind === 'all' ? all : latencies[kind]).slice().sort((a, b) => a - b);
      rows.push({
        phase: 'latency',
        path: label,
        samples: values.length,
        'p50 ms': Math.round(quantile(values, 0.5)),
        'p99 ms': Math.round(quantile(values, 0.99)),
        'max ms': Math.round(values[values.length - 1] ?? Number.NaN),
        'live events/s': perSecond(published, LIVE_SECONDS * 1000),
        'unseen samples': kind === 'all' ? pending.length : pending.filter((p) => p.kind === kind).length,
      });
    }
  } finally {
    await Promise.all(names.map((n) => stopGently(fleet, n)));
    await listener.end().catch(() => undefined);
    await publisher.close().catch(() => undefined);
    const topics = (await admin.listTopics().catch(() => [] as string[])).filter(
      (t) => t.startsWith(`${namespace}.`) || t.startsWith(`${fleet.groupPrefix}.`),
    );
    if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await pool.end().catch(() => undefined);
  }
  return rows;
}

/** SIGTERM (final checkpoints, leave the groups); SIGKILL if it has not exited after 20 s. */
async function stopGently(fleet: AggregatorFleet, name: string): Promise<void> {
  const timer = setTimeout(() => void fleet.stop(name, 'SIGKILL'), 20_000);
  await fleet.stop(name, 'SIGTERM');
  clearTimeout(timer);
}

/** Σ end offsets of every input topic: what the groups have checkpointed once they are caught up. */
async function totalOffsets(admin: ReturnType<Kafka['admin']>, inputs: Record<string, string[]>): Promise<number> {
  let n = 0;
  for (const topics of Object.values(inputs))
    for (const o of await admin.fetchTopicOffsets(topics[0])) n += Number(o.high);
  return n;
}

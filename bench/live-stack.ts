import type { ChildProcess } from 'node:child_process';
import { namespaced, Topics, UpdateTopics } from '@switchboard/domain';
import { SERVICE_STATUS_TOPIC, SERVICE_STATUS_TOPIC_CONFIG } from '@switchboard/streams';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { KeyStore } from '../apps/cli/src/keys/key-store';
import { AggregatorFleet } from '../test/support/aggregator-fleet';
import { testEnv, uniqueName } from '../test/support/env';
import { createTopicsWithLeaders } from './create-topics';
import { GatewayProcess } from './gateway-process';
import { MeterWatch } from './meter-watch';
import { type LoadAck, OpenLoopLoad } from './open-loop-load';
import { machineCpu, processCpuMicros } from './proc-stats';
import { ServiceProcess } from './service-process';

/** The aggregators' HTTP ports: 47xx (never the services' defaults 3000–3002, nor the other suites' ranges). */
const AGGREGATOR_PORT = 4710 + 2 * Math.floor(Math.random() * 40);
const READY_TIMEOUT_MS = 90_000;
/** The open-loop load: a request every LOAD_TICK_MS, at most LOAD_MAX_IN_FLIGHT unanswered. */
export const LOAD_TICK_MS = 50;
export const LOAD_MAX_IN_FLIGHT = 200;
/** How long readings acknowledged but not yet on the dashboard are waited for after a load. */
export const SETTLE_MS = 30_000;

/**
 * The namespace's topics (2 partitions each) as the services would create them, made here with their leaders
 * elected: a service that creates one itself while another does too can read offsets before a leader is elected and
 * fail its start ("not the leader for that topic-partition"), which is not what a suite measures.
 */
export async function createNamespaceTopics(admin: Admin, namespace: string, events = false): Promise<void> {
  const plain = [
    UpdateTopics.updates,
    UpdateTopics.alerts,
    ...(events ? [Topics.meters, Topics.calls, Topics.agents] : []),
  ];
  await createTopicsWithLeaders(admin, [
    ...plain.map((t) => ({ topic: namespaced(t, namespace), numPartitions: 2 })),
    {
      topic: namespaced(SERVICE_STATUS_TOPIC, namespace),
      numPartitions: 2,
      configEntries: Object.entries(SERVICE_STATUS_TOPIC_CONFIG).map(([name, value]) => ({ name, value })),
    },
  ]);
}

/**
 * The whole loop as `npm start` runs it, on a topic namespace and tenant of its own: the real ingest, aggregator
 * instances and dashboard gateway as child processes (Kafka and Postgres as the tests find them), and an API key of
 * the tenant. Ingest's per-tenant rate limit is lifted (the suites offer the load on purpose); the aggregators keep
 * their defaults (grace 60 s, idle 10 s, checkpoints every 500 ms, session timeout 10 s).
 */
export class LiveStack {
  readonly namespace = uniqueName('bench-live');
  readonly tenant = uniqueName('bench-live');
  readonly ingest = new ServiceProcess('ingest', 'INGEST_PORT', {
    SWITCHBOARD_TOPIC_NAMESPACE: this.namespace,
    INGEST_RATE_LIMIT: '1000000000',
    INSTANCE_ID: 'bench',
  });
  readonly gateway = new GatewayProcess(this.namespace);
  readonly fleet = new AggregatorFleet({
    graceMs: 60_000,
    idleMs: 10_000,
    port: AGGREGATOR_PORT,
    extraEnv: { SWITCHBOARD_TOPIC_NAMESPACE: this.namespace },
  });
  readonly aggregators = new Map<string, ChildProcess>();
  key = '';
  private readonly admin = new Kafka({
    clientId: 'bench-live',
    brokers: testEnv.brokers,
    logLevel: logLevel.NOTHING,
  }).admin();

  /** Starts everything and resolves once every service answers /health/ready. */
  async start(aggregators: string[]): Promise<void> {
    await this.admin.connect();
    await createNamespaceTopics(this.admin, this.namespace, true);
    const pool = new Pool({ connectionString: testEnv.databaseUrl, max: 1 });
    try {
      this.key = (await new KeyStore(pool).create(this.tenant, 'bench')).key;
    } finally {
      await pool.end();
    }
    await this.ingest.start();
    aggregators.forEach((name) => {
      this.aggregators.set(name, this.fleet.start(name));
    });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (let i = 0; i < aggregators.length; i++) {
      while (!(await ready(AGGREGATOR_PORT + i))) {
        const child = this.aggregators.get(aggregators[i]);
        if (child?.exitCode !== null || child?.signalCode !== null || Date.now() > deadline)
          throw new Error(`aggregator ${aggregators[i]} did not start: ${this.fleet.log.slice(-20).join('\n')}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    await this.gateway.start();
  }

  /** The processes' pids, by role (aggregators by name). */
  pids(): Record<string, number> {
    const pids: Record<string, number> = { ingest: this.ingest.pid, gateway: this.gateway.pid };
    for (const [name, child] of this.aggregators)
      if (child.pid && child.exitCode === null) pids[`agg ${name}`] = child.pid;
    return pids;
  }

  /** CPU so far of every process of the stack (µs, by role) and of the machine. */
  cpu(): { processes: Record<string, number>; machine: ReturnType<typeof machineCpu> } {
    const processes = Object.fromEntries(
      Object.entries(this.pids()).map(([role, pid]) => [role, processCpuMicros(pid)]),
    );
    return { processes, machine: machineCpu() };
  }

  /** The services' last `n` warnings and errors, a JSON log line as its message (and error message, if any). */
  logTail(n = 10): string[] {
    return [...this.ingest.log, ...this.fleet.log, ...this.gateway.log].slice(-n).map((line) => {
      try {
        const j = JSON.parse(line.slice(line.indexOf('{'))) as { msg?: string; err?: { message?: string } };
        return [j.msg, j.err?.message].filter(Boolean).join(': ') || line;
      } catch {
        return line;
      }
    });
  }

  async stop(): Promise<void> {
    await this.gateway.stop().catch(() => undefined);
    await Promise.all(
      [...this.aggregators.keys()].map(async (name) => {
        const kill = setTimeout(() => void this.fleet.stop(name, 'SIGKILL'), 20_000);
        await this.fleet.stop(name, 'SIGTERM');
        clearTimeout(kill);
      }),
    );
    await this.ingest.stop().catch(() => undefined);
    const topics = (await this.admin.listTopics().catch(() => [] as string[])).filter(
      (t) => t.startsWith(`${this.namespace}.`) || t.startsWith(`${this.fleet.groupPrefix}.`),
    );
    if (topics.length > 0) await this.admin.deleteTopics({ topics }).catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
  }
}

/** Whether the service on `port` answers /health/ready with 200. */
export async function ready(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(1000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

/** A watched live loop's settings: meters m0…m(meters−1) get the load; the first `watched` are on the dashboard. */
export interface LiveLoopOptions {
  aggregators: string[];
  meters: number;
  watched: number;
}

/**
 * The stack of the e2e and recovery suites: LiveStack started, a MeterWatch on the watched meters' channels, the
 * open-loop load on ingest (a request every 50 ms, at most 200 unanswered), and a warm-up (every meter's baseline
 * reading, the channels' first rows, the JITs) already seen on the dashboard.
 */
export async function startLiveLoop(opts: LiveLoopOptions): Promise<{
  stack: LiveStack;
  watch: MeterWatch;
  load: OpenLoopLoad;
  onAck: (a: LoadAck) => void;
  close(): Promise<void>;
}> {
  const stack = new LiveStack();
  const watch = new MeterWatch(Array.from({ length: opts.watched }, (_, i) => `m${i}`));
  let load: OpenLoopLoad | undefined;
  const close = async () => {
    await load?.close();
    watch.close();
    await stack.stop();
  };
  try {
    await stack.start(opts.aggregators);
    await watch.connect(stack.gateway.url, stack.gateway.token(stack.tenant, 'analyst')); // meter channels: analysts'
    load = new OpenLoopLoad({
      url: stack.ingest.url,
      key: stack.key,
      meters: opts.meters,
      watched: opts.watched,
      tickMs: LOAD_TICK_MS,
      maxInFlight: LOAD_MAX_IN_FLIGHT,
    });
    const onAck = (a: LoadAck) => watch.onAck(a);
    await load.run(Math.min(1000, opts.meters), Math.max(2, opts.meters / 1000), onAck);
    await watch.waitSeen(SETTLE_MS);
    return { stack, watch, load, onAck, close };
  } catch (err) {
    await close();
    throw err;
  }
}

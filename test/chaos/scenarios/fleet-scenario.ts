import { type IngestEvent, namespaced, Topics, toStreamRecord } from '@switchboard/domain';
import { StreamingClient } from '@switchboard/streams';
import { Kafka, logLevel, type Message, type Producer } from 'kafkajs';
import type { Pool } from 'pg';
import { Rng } from '../../../apps/cli/src/simulate/rng';
import { recomputeAgents, recomputeEnergy, recomputeQueueStats } from '../../../apps/cli/src/verify/recompute';
import { storedAgents, storedEnergy, storedQueueStats } from '../../../apps/cli/src/verify/stored-aggregates';
import { verifyTenant } from '../../../apps/cli/src/verify/verify';
import type { AggregatorFleet } from '../../support/aggregator-fleet';
import { uniqueName } from '../../support/env';
import { fleetRig } from '../../support/fleet-rig';
import { PrivateBroker } from '../../support/private-broker';
import { eventually } from '../../support/wait';
import type { ChaosRow } from './chaos-row';
import { exactness, type TablePair } from './exactness';
import { SMALL_SITE, simulatedEvents } from './simulated-events';

const GRACE = 60_000;
const HOUR = 3600_000;
/** Events a publish carries: ingest's request size in the simulator (less event time per request than the grace). */
const CHUNK = 400;
/** Ports of the private broker a plan may stop (the kafka-outage spec has 29092, helpers' stacks 9192–9593). */
const PRIVATE_BROKER_PORT = 29492;
/** How long a publish waits for Kafka before it counts as refused (ingest's publish timeout: 10 s, then 503). */
const PUBLISH_TIMEOUT_MS = 5000;
/** How long a source retries a refused request before the scenario fails. */
const RETRY_FOR_MS = 120_000;

/** What a fault plan may do to the fleet of aggregator instances between two publishes. */
export interface FleetControl {
  readonly rng: Rng;
  /** The instances running now, oldest first. */
  readonly running: readonly string[];
  /** Starts one more instance (the real app, a child process) and returns its name. */
  start(): string;
  /** Stops an instance with the signal (SIGKILL: no last checkpoint, no leaving the group). */
  stop(name: string, signal: NodeJS.Signals): Promise<void>;
  /** Notes a fault for the table ("SIGKILL i2"); the moment in % of the input is added. */
  fault(what: string): void;
  /** A fault that goes on while the input flows (a broker away for 10 s); awaited before the drain. */
  meanwhile(fault: Promise<void>): void;
  /** The scenario's private broker, when its plan asked for one (`privateBroker`). */
  readonly broker?: PrivateBroker;
  /** The aggregator's input topics in this scenario's namespace: meters, calls, agents. */
  readonly inputTopics: readonly string[];
  /** Writes raw messages to a topic, past every codec (what a foreign producer or a bug would write). */
  produceRaw(topic: string, messages: Message[]): Promise<void>;
  /**
   * Reads `topic` from the beginning, each record's headers, until `enough(records)` or `timeoutMs` passed (a fresh
   * consumer group; kafkajs gives no end to read to, so the caller says when it has what it waits for).
   */
  readHeaders(
    topic: string,
    enough: (records: Array<Record<string, string>>) => boolean,
    timeoutMs: number,
  ): Promise<Array<Record<string, string>>>;
  log(line: string): void;
}

/** A fault plan: its instances at the start, and what it does before publish number `index` of `total`. */
export interface FaultPlan {
  scenario: string;
  instances: number;
  /** Runs everything on a broker of its own that the plan may stop and start. */
  privateBroker?: boolean;
  before(index: number, total: number, fleet: FleetControl): Promise<void>;
  /** Once the input is drained: what the plan checks of its own faults (a failure each, and a note for the table). */
  afterDrain?(fleet: FleetControl): Promise<{ failures: string[]; note: string }>;
}

export interface FleetScenarioOptions {
  seed: number;
  /** Simulated minutes per tenant (of SMALL_SITE's traffic: ≈ 420 events a minute). */
  minutes: number;
  log?: (line: string) => void;
}

/**
 * A fault plan carried out on real aggregator instances while tenant "live" sends the last `minutes` as they happen
 * and tenant "backfill" forwards `minutes` buffered five hours ago (calls, agents and meter readings, with
 * duplicates, out-of-order and 20-minute-late readings) into the same partitions, their publishes interleaved.
 * Afterwards every row of both tenants is compared with a batch computation over the acknowledged events,
 * `switchboard verify` reads the events back from the topics, and late data-quality events and error lines are
 * counted: the chaos table's row.
 */
export async function fleetScenario(plan: FaultPlan, o: FleetScenarioOptions): Promise<ChaosRow> {
  const broker = plan.privateBroker ? new PrivateBroker(PRIVATE_BROKER_PORT) : undefined;
  await broker?.start();
  try {
    return await runPlan(plan, o, broker);
  } finally {
    await broker?.remove();
  }
}

async function runPlan(plan: FaultPlan, o: FleetScenarioOptions, broker?: PrivateBroker): Promise<ChaosRow> {
  const log = o.log ?? (() => {});
  const rig = fleetRig('chaos', {
    graceMs: GRACE,
    idleMs: 2000,
    brokers: broker?.brokers,
    publishTimeoutMs: PUBLISH_TIMEOUT_MS,
  });
  const { namespace, pool, fleet, publisher, close } = rig;
  const tenants = simulatedTenants(o);
  const chunks = interleaved(tenants);
  const faults: string[] = [];
  const ongoing: Array<Promise<void>> = [];
  let position = 0;
  const raw = rawProducer(rig.brokers);
  const control = fleetControl({ fleet, rng: new Rng(o.seed), log, broker, ongoing, raw, namespace }, (what) =>
    faults.push(`${what} at ${Math.round((100 * position) / chunks.length)} %`),
  );
  try {
    for (let i = 0; i < plan.instances; i++) control.start();
    let sent = 0;
    let acknowledged = 0;
    let refused = 0;
    let lastAckAt = 0;
    for (const [index, [tenant, events]] of chunks.entries()) {
      position = index;
      await plan.before(index, chunks.length, control);
      sent += events.length;
      // As a PBX or head-end retries a request ingest refused (503 while Kafka is away): the same events again.
      for (const since = Date.now(); ; ) {
        try {
          await publisher.publish(events.map((e) => toStreamRecord(tenant, e)));
          break;
        } catch (err) {
          refused++;
          if (Date.now() - since > RETRY_FOR_MS) throw err;
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
      acknowledged += events.length;
      lastAckAt = Date.now();
    }
    await Promise.all(ongoing);
    const caughtUp = fleet.queueStageCaughtUp(pool, {
      energy: [`${namespace}.events.meters`],
      agents: [`${namespace}.events.agents`],
      calls: [`${namespace}.events.calls`],
    });
    await eventually(
      async () => {
        if (!(await caughtUp())) throw new Error('the aggregator has not drained its input');
      },
      300_000,
      1000,
    ).catch((err: Error) => {
      // The instances' own words, in the failure itself: a stall must be diagnosable from a CI log alone.
      throw new Error(`${err.message}; the instances' last log lines:\n${fleet.log.slice(-60).join('\n')}`);
    });
    const drainedSeconds = (Date.now() - lastAckAt) / 1000;

    const pairs: TablePair[] = [];
    for (const [tenant, events] of tenants) {
      pairs.push(
        {
          table: 'meter_energy_15m',
          expected: recomputeEnergy(events),
          stored: await storedEnergy(pool, tenant),
          countColumn: 1,
        },
        {
          table: 'queue_stats_1m',
          expected: recomputeQueueStats(events),
          stored: await storedQueueStats(pool, tenant),
          countColumn: 0,
        },
        { table: 'agent_status', expected: recomputeAgents(events), stored: await storedAgents(pool, tenant) },
      );
    }
    const exact = exactness(pairs);
    const late = await pool.query(
      `SELECT count(*)::int AS n FROM data_quality_events WHERE tenant = ANY($1) AND kind LIKE 'late%'`,
      [tenants.map(([t]) => t)],
    );
    const verified = await verifyAll(
      rig.brokers,
      namespace,
      tenants.map(([t]) => t),
      pool,
    );
    const own = (await plan.afterDrain?.(control)) ?? { failures: [], note: '' };
    const errorLines = fleet.log.filter((l) => /failed to start|Error:/.test(l));
    for (const line of errorLines.slice(0, 5)) log(`error line: ${line}`);
    return {
      scenario: plan.scenario,
      faults: faults.join(', '),
      sent,
      acknowledged,
      inTopics: verified.events,
      rowsCompared: exact.rowsCompared,
      rowsDiffering: exact.rowsDiffering,
      verifyDifferences: verified.differences,
      lost: exact.lost,
      doubled: exact.doubled,
      late: late.rows[0].n,
      drainedSeconds,
      errorLines: errorLines.length,
      firstDifferences: exact.firstDifferences,
      planFailures: own.failures,
      notes: [
        ...(own.note ? [own.note] : []),
        `seed ${o.seed}; a live and a backfilling tenant, ${o.minutes} simulated min each`,
        ...(refused > 0 ? [`${refused} publishes refused and retried`] : []),
        ...(verified.events > acknowledged
          ? [
              `${verified.events - acknowledged} events twice in the topics (a refused publish had landed), counted once`,
            ]
          : []),
        ...(control.restarts > 0 ? [`${control.restarts} instance(s) exited and were restarted`] : []),
      ].join('; '),
    };
  } finally {
    control.stopSupervising();
    await raw.close();
    await close();
  }
}

function simulatedTenants(o: FleetScenarioOptions): Array<[string, IngestEvent[]]> {
  const now = Date.now();
  const durationMs = o.minutes * 60_000;
  return [
    [
      uniqueName('live'),
      simulatedEvents({ ...SMALL_SITE, durationMs, seed: o.seed, start: now - durationMs - 10 * 60_000 }),
    ],
    [uniqueName('backfill'), simulatedEvents({ ...SMALL_SITE, durationMs, seed: o.seed + 1, start: now - 5 * HOUR })],
  ];
}

/** Each tenant's events in requests of CHUNK in its own order, the tenants alternating, as sources sending at once. */
function interleaved(tenants: Array<[string, IngestEvent[]]>): Array<[string, IngestEvent[]]> {
  const perTenant = tenants.map(([tenant, events]) =>
    Array.from(
      { length: Math.ceil(events.length / CHUNK) },
      (_, i) => [tenant, events.slice(i * CHUNK, (i + 1) * CHUNK)] as [string, IngestEvent[]],
    ),
  );
  const out: Array<[string, IngestEvent[]]> = [];
  for (let i = 0; i < Math.max(...perTenant.map((c) => c.length)); i++)
    for (const c of perTenant) if (c[i]) out.push(c[i]);
  return out;
}

/**
 * The plan's hands on the fleet, with `npm start`'s supervision: an instance that exits by itself (an aggregator that
 * could not start while Kafka was away exits 1) is started again a second later under a new name, and counted.
 */
function fleetControl(
  ctx: {
    fleet: AggregatorFleet;
    rng: Rng;
    log: (line: string) => void;
    broker: PrivateBroker | undefined;
    ongoing: Array<Promise<void>>;
    raw: RawProducer;
    namespace: string;
  },
  fault: (what: string) => void,
): FleetControl & { readonly restarts: number; stopSupervising(): void } {
  const { fleet, rng, log, broker, ongoing, raw, namespace } = ctx;
  const running: string[] = [];
  let started = 0;
  let restarts = 0;
  let supervising = true;
  const start = (): string => {
    const name = `i${++started}`;
    const child = fleet.start(name);
    running.push(name);
    child.once('exit', (code, signal) => {
      const at = running.indexOf(name);
      if (at < 0 || !supervising) return; // stopped on purpose
      running.splice(at, 1);
      restarts++;
      log(`supervisor: ${name} exited (${signal ?? `code ${code}`}), starting another`);
      setTimeout(() => {
        if (supervising) start();
      }, 1000);
    });
    return name;
  };
  return {
    rng,
    running,
    start,
    async stop(name, signal) {
      running.splice(running.indexOf(name), 1);
      await fleet.stop(name, signal);
    },
    fault(what) {
      fault(what);
      log(what);
    },
    meanwhile(p) {
      ongoing.push(p);
    },
    broker,
    inputTopics: [Topics.meters, Topics.calls, Topics.agents].map((t) => namespaced(t, namespace)),
    produceRaw: (topic, messages) => raw.send(topic, messages),
    readHeaders: (topic, enough, timeoutMs) => raw.readHeaders(topic, enough, timeoutMs),
    log,
    get restarts() {
      return restarts;
    },
    stopSupervising() {
      supervising = false;
    },
  };
}

async function verifyAll(brokers: string[], namespace: string, tenants: string[], pool: Pool) {
  const client = new StreamingClient({
    brokers,
    clientId: 'chaos-verify',
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  let events = 0;
  let differences = 0;
  try {
    for (const tenant of tenants) {
      const report = await verifyTenant(client, pool, { tenant, namespace });
      events += report.events;
      differences += report.differences.length + report.unreadable;
    }
  } finally {
    await client.close();
  }
  return { events, differences };
}

interface RawProducer {
  send(topic: string, messages: Message[]): Promise<void>;
  readHeaders: FleetControl['readHeaders'];
  close(): Promise<void>;
}

/** A plain kafkajs producer and reader, connected on first use: nothing of our codec between a plan and a topic. */
function rawProducer(brokers: string[]): RawProducer {
  const kafka = new Kafka({ clientId: 'chaos-raw', brokers, logLevel: logLevel.NOTHING });
  let producer: Producer | undefined;
  return {
    async send(topic, messages) {
      if (!producer) {
        producer = kafka.producer();
        await producer.connect();
      }
      await producer.send({ topic, messages, acks: -1 });
    },
    async readHeaders(topic, enough, timeoutMs) {
      const consumer = kafka.consumer({ groupId: uniqueName('chaos-read') });
      const records: Array<Record<string, string>> = [];
      await consumer.connect();
      try {
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          eachMessage: async ({ message }) => {
            records.push(
              Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v ?? '')])),
            );
          },
        });
        for (const until = Date.now() + timeoutMs; Date.now() < until && !enough(records); )
          await new Promise((r) => setTimeout(r, 250));
        return [...records];
      } finally {
        await consumer.disconnect();
      }
    },
    async close() {
      await producer?.disconnect();
    },
  };
}

import { type IngestEvent, toStreamRecord } from '@switchboard/domain';
import { StreamingClient } from '@switchboard/streams';
import { Rng } from '../../../apps/cli/src/simulate/rng';
import { recomputeAgents, recomputeEnergy, recomputeQueueStats } from '../../../apps/cli/src/verify/recompute';
import { storedAgents, storedEnergy, storedQueueStats } from '../../../apps/cli/src/verify/stored-aggregates';
import { verifyTenant } from '../../../apps/cli/src/verify/verify';
import { testEnv, uniqueName } from '../../support/env';
import { fleetRig } from '../../support/fleet-rig';
import { eventually } from '../../support/wait';
import type { ChaosRow } from './chaos-row';
import { exactness } from './exactness';
import { distinctMoments } from './seeded-random';
import { SMALL_SITE, simulatedEvents } from './simulated-events';

const GRACE = 60_000;
const HOUR = 3600_000;
/** Events a publish carries: ingest's request size in the simulator (less event time per request than the grace). */
const CHUNK = 400;

export interface AggregatorKillsOptions {
  /** How many times a random running instance is SIGKILLed (and restarted, as `npm start`'s supervisor does). */
  kills: number;
  seed: number;
  /** Simulated minutes per tenant (of SMALL_SITE's traffic: ≈ 420 events a minute). */
  minutes: number;
  instances?: number;
  log?: (line: string) => void;
}

/**
 * SIGKILL of random aggregator instances at random moments: tenant "live" sends the last `minutes` as they happen
 * while tenant "backfill" forwards `minutes` buffered five hours ago (calls, agents and meter readings, with
 * duplicates, out-of-order and 20-minute-late readings) into the same partitions, their publishes interleaved. At
 * `kills` moments drawn from the seed, a random running instance gets SIGKILL and a new one starts in its place —
 * sometimes at once, sometimes while the group still rebalances after the previous kill. Afterwards every row of
 * both tenants is compared with a batch computation over the acknowledged events, `switchboard verify` reads the
 * events back from the topics, and the late data-quality events and error lines are counted.
 */
export async function aggregatorKills(o: AggregatorKillsOptions): Promise<ChaosRow> {
  const log = o.log ?? (() => {});
  const rng = new Rng(o.seed);
  const { namespace, pool, fleet, publisher, close } = fleetRig('chaos-kills', { graceMs: GRACE, idleMs: 2000 });
  const live = uniqueName('live');
  const backfill = uniqueName('backfill');
  const now = Date.now();
  const durationMs = o.minutes * 60_000;
  const tenants: Array<[string, IngestEvent[]]> = [
    [live, simulatedEvents({ ...SMALL_SITE, durationMs, seed: o.seed, start: now - durationMs - 10 * 60_000 })],
    [backfill, simulatedEvents({ ...SMALL_SITE, durationMs, seed: o.seed + 1, start: now - 5 * HOUR })],
  ];
  // Each tenant's chunks in its own order, the two tenants alternating, as two sources sending at once.
  const chunks: Array<[string, IngestEvent[]]> = [];
  const perTenant = tenants.map(([tenant, events]) =>
    Array.from(
      { length: Math.ceil(events.length / CHUNK) },
      (_, i) => [tenant, events.slice(i * CHUNK, (i + 1) * CHUNK)] as [string, IngestEvent[]],
    ),
  );
  for (let i = 0; i < Math.max(...perTenant.map((c) => c.length)); i++)
    for (const c of perTenant) if (c[i]) chunks.push(c[i]);
  const killAt = new Set(
    distinctMoments(rng, o.kills, Math.floor(chunks.length * 0.1), Math.floor(chunks.length * 0.9)),
  );

  const running: string[] = [];
  let started = 0;
  const startOne = () => {
    const name = `i${++started}`;
    fleet.start(name);
    running.push(name);
  };
  const faults: string[] = [];
  try {
    for (let i = 0; i < (o.instances ?? 2); i++) startOne();
    let sent = 0;
    let acknowledged = 0;
    let lastAckAt = 0;
    for (const [index, [tenant, events]] of chunks.entries()) {
      if (killAt.has(index)) {
        const victim = running.splice(rng.int(0, running.length - 1), 1)[0];
        await fleet.stop(victim, 'SIGKILL');
        faults.push(`${victim} at ${Math.round((100 * index) / chunks.length)} %`);
        log(`SIGKILL ${victim} at chunk ${index} of ${chunks.length}`);
        startOne();
        // Half of the time the input goes on at once; otherwise a pause lets the group rebalance into the next kill.
        if (rng.chance(0.5)) await new Promise((r) => setTimeout(r, rng.int(0, 4000)));
      }
      sent += events.length;
      await publisher.publish(events.map((e) => toStreamRecord(tenant, e)));
      acknowledged += events.length;
      lastAckAt = Date.now();
    }

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
    ).catch((err) => {
      log(`not drained; last log lines:\n${fleet.log.slice(-40).join('\n')}`);
      throw err;
    });
    const drainedSeconds = (Date.now() - lastAckAt) / 1000;

    const pairs = [];
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
      [[live, backfill]],
    );
    const client = new StreamingClient({
      brokers: testEnv.brokers,
      clientId: 'chaos-verify',
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    let inTopics = 0;
    let verifyDifferences = 0;
    try {
      for (const [tenant] of tenants) {
        const report = await verifyTenant(client, pool, { tenant, namespace });
        inTopics += report.events;
        verifyDifferences += report.differences.length + report.unreadable;
      }
    } finally {
      await client.close();
    }
    const errorLines = fleet.log.filter((l) => /failed to start|Error:/.test(l));
    for (const line of errorLines.slice(0, 5)) log(`error line: ${line}`);
    return {
      scenario: `SIGKILL a random aggregator ×${o.kills}`,
      faults: faults.join(', '),
      sent,
      acknowledged,
      inTopics,
      rowsCompared: exact.rowsCompared,
      rowsDiffering: exact.rowsDiffering,
      verifyDifferences,
      lost: exact.lost,
      doubled: exact.doubled,
      late: late.rows[0].n,
      drainedSeconds,
      errorLines: errorLines.length,
      firstDifferences: exact.firstDifferences,
      notes: `seed ${o.seed}; ${o.instances ?? 2} instances; a live and a backfilling tenant, ${o.minutes} min each`,
    };
  } finally {
    await close();
  }
}

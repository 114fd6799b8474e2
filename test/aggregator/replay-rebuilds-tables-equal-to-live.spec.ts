import { namespaced, parseEvent, streamId, Topics, toStreamRecord, UpdateTopics } from '@switchboard/domain';
import { repartitionOutbox } from '@switchboard/streams/processor';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { aggregatorPipelines } from '../../apps/aggregator/src/pipelines';
import { PipelineRunner } from '../../apps/aggregator/src/pipelines/pipeline-runner';
import { ReplayRefusedError } from '../../apps/aggregator/src/replay/replay-errors';
import { runReplay } from '../../apps/aggregator/src/replay/run-replay';
import { DEFAULT_SIMULATION, simulate } from '../../apps/cli/src/simulate/generator';
import { MAX_REQUEST_SPAN_MS } from '../../apps/cli/src/simulate/run-simulation';
import { standaloneStreamsPublisher } from '../../apps/ingest/src/publishing/streams-event-publisher';
import { testEnv, uniqueName } from '../support/env';
import { freshMigratedDatabase } from '../support/replay-database';
import { type AggregateSnapshot, liveDrain, snapshotAggregates, type WindowRows } from '../support/replay-tables';
import { testClient } from '../support/streams';
import { switchboardReplay } from '../support/switchboard-cli';
import { eventually } from '../support/wait';

// On the real broker and Postgres, in a database of its own (a replay empties whole tables): simulated calls,
// agents and meter readings go through ingest's publisher; the live pipelines drain them; `switchboard replay`
// refuses while they run, then — once they are stopped — rebuilds every table from the log. The rebuilt rows
// equal the live ones: every number, and every row final in the replay was final live (a replay never idles,
// so the newest windows stay open until the live aggregator closes them). The queue stage and the alert rules
// were seeded at their input's end: the queue stage never re-read the old run's hop records (that would double
// every queue row, or add a queue only the old run's hop topic holds).
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

describe('switchboard replay rebuilds the aggregate tables equal to the live run', () => {
  const namespace = uniqueName('replay');
  const groupPrefix = uniqueName('agg').replaceAll('-', '_');
  const tenant = uniqueName('tenant');
  const settings = { groupPrefix, topicNamespace: namespace, graceMs: 60_000, idleMs: 1000, tablePrefix: 'streams_' };
  const client = testClient('replay');
  const publisher = standaloneStreamsPublisher({
    brokers: testEnv.brokers,
    clientId: 'replay-spec',
    timeoutMs: 30_000,
    topicNamespace: namespace,
  });
  let db: { url: string; drop(): Promise<void> };
  let pool: Pool;
  let live: PipelineRunner | undefined;

  beforeAll(async () => {
    db = await freshMigratedDatabase('replay');
    pool = new Pool({ connectionString: db.url, max: 12 });
    pool.on('error', () => undefined); // idle connections end with the database in afterAll
  });

  afterAll(async () => {
    await live?.close();
    await publisher.close();
    await client.close();
    await pool?.end();
    await db?.drop();
  });

  async function publishSimulation(): Promise<number> {
    const sim = { ...DEFAULT_SIMULATION, seed: 6, start: Date.now() - 3 * 3600_000, durationMs: 40 * 60_000 };
    const emissions = [
      ...simulate({
        ...sim,
        meters: 6,
        agents: 6,
        callsPerMinute: 8,
        anomalies: { duplicate: 0.02, outOfOrder: 0.02, late: 0, reset: 0.01 },
      }),
    ];
    await publisher.setQueueProperties(tenant, 'support', { name: 'Support', slaSeconds: 30 });
    await publisher.setMeterProperties(tenant, 'meter-0001', {
      name: 'Meter 1',
      site: 'site-1',
      timezone: 'Europe/London',
    });
    // Requests of at most 10 s of simulated time, as the simulator sends them (ingest packs an entity's events).
    let batch: typeof emissions = [];
    const flush = async () => {
      await publisher.publish(
        batch.map((e) => {
          const parsed = parseEvent(e.event);
          if (!parsed.ok) throw new Error(`simulator produced an invalid event: ${parsed.error}`);
          return toStreamRecord(tenant, parsed.event);
        }),
      );
      batch = [];
    };
    for (const e of emissions) {
      if (batch.length > 0 && e.sendAt - batch[0].sendAt > MAX_REQUEST_SPAN_MS) await flush();
      batch.push(e);
    }
    await flush();
    return emissions.length;
  }

  function runner(): PipelineRunner {
    return new PipelineRunner(
      { client, pool, logger: quiet, ...settings, mode: 'live', topicNamespace: namespace },
      aggregatorPipelines,
    );
  }

  it('refuses while the live aggregator runs, then rebuilds every row the live run wrote', async () => {
    const events = await publishSimulation();
    expect(events).toBeGreaterThan(300);

    // The live aggregator drains the log; idling then closes the windows it can (the events are hours old).
    live = runner();
    await live.start();
    const inputs = {
      energy: namespaced(Topics.meters, namespace),
      agents: namespaced(Topics.agents, namespace),
      calls: namespaced(Topics.calls, namespace),
    };
    const liveDrained = liveDrain(pool, client, groupPrefix, inputs);
    await eventually(async () => expect(await liveDrained()).toBe(true), 120_000, 500);
    let previous = await snapshotAggregates(pool);
    const liveRows = await eventually(
      async () => {
        await new Promise((r) => setTimeout(r, 1500));
        const now = await snapshotAggregates(pool);
        const settled = JSON.stringify(serialisable(now)) === JSON.stringify(serialisable(previous));
        previous = now;
        expect(settled).toBe(true);
        return now;
      },
      60_000,
      0,
    );
    expect(liveRows.energy.size).toBeGreaterThan(10);
    expect(liveRows.queueStats.size).toBeGreaterThan(10);
    expect(liveRows.agents.size).toBe(6);
    expect(liveRows.queues.get(`${tenant}/support`)).toBe('Support|30');

    // While a member is in the groups: refused with a typed error, and by the CLI with exit code 2; nothing changed.
    const deps = { client, pool, logger: quiet };
    await expect(runReplay(deps, settings)).rejects.toThrow(ReplayRefusedError);
    const cli = switchboardReplay(['--yes', '--group-prefix', groupPrefix, '--namespace', namespace], {
      DATABASE_URL: db.url,
    });
    expect(cli.status).toBe(2);
    expect(cli.stderr).toMatch(/refusing to replay while aggregators are running: stop every instance/);
    expect(await snapshotAggregates(pool)).toEqual(liveRows);

    // Stopped: the replay rebuilds from the log.
    await live.close();
    live = undefined;
    const hop = `${groupPrefix}.calls.by-queue`;
    const updates = namespaced(UpdateTopics.updates, namespace);
    await oldRunHopRecord(hop, tenant);
    const hopEnds = await client.endOffsets(hop);
    const updateEnds = await client.endOffsets(updates);
    let progressCalls = 0;
    const summary = await runReplay(deps, settings, { timeoutMs: 120_000, onProgress: () => progressCalls++ });
    process.stdout.write(
      `replay: ${summary.records} records in ${summary.seconds.toFixed(2)} s = ${Math.round(summary.recordsPerSecond)} records/s\n`,
    );

    const replayed = await snapshotAggregates(pool);
    expectSameNumbers(replayed.energy, liveRows.energy);
    expectSameNumbers(replayed.queueStats, liveRows.queueStats);
    expect(replayed.agents).toEqual(liveRows.agents);
    expect(replayed.meters).toEqual(liveRows.meters);
    expect(replayed.queues).toEqual(liveRows.queues);
    expect(replayed.dataQuality).toEqual(liveRows.dataQuality);
    // Most windows close by stream time alone; the ones at the end of the log wait for the live aggregator. (Had
    // the queue stage re-read the old run's hop topic, its idle time markers would have closed every window.)
    expect(finalWindows(replayed.energy)).toBeGreaterThan(liveRows.energy.size / 2);
    expect(finalWindows(replayed.queueStats)).toBeGreaterThan(liveRows.queueStats.size / 2);
    expect(finalWindows(replayed.queueStats)).toBeLessThan(replayed.queueStats.size);

    // The hop and alert groups started at their input's end as the old run left it.
    const seeded = (group: string) =>
      new Map(summary.seeded.filter((s) => s.group === `${groupPrefix}.${group}`).map((s) => [s.partition, s.offset]));
    expect(seeded('queues')).toEqual(hopEnds);
    expect(seeded('alerts')).toEqual(updateEnds);
    expect(summary.seeded.every((s) => s.topic === (s.group.endsWith('.queues') ? hop : updates))).toBe(true);

    expect(summary.records).toBeGreaterThan(0);
    expect(summary.rows.meter_energy_15m).toBe(liveRows.energy.size);
    expect(summary.rows.queue_stats_1m).toBe(liveRows.queueStats.size);
    expect(summary.deletedGroups).toEqual(expect.arrayContaining([`${groupPrefix}.energy`, `${groupPrefix}.queues`]));
    expect(progressCalls).toBeGreaterThan(0);

    // The groups are left where the live aggregator resumes: every events partition checkpointed to its end.
    expect(await liveDrain(pool, client, groupPrefix, inputs)()).toBe(true);

    // A second replay, as an operator runs it, rebuilds exactly the same rows (finality included: nothing idles).
    const again = switchboardReplay(['--yes', '--group-prefix', groupPrefix, '--namespace', namespace], {
      DATABASE_URL: db.url,
      AGGREGATOR_GRACE_MS: String(settings.graceMs),
    });
    expect(again.stderr).not.toMatch(/switchboard: /);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(
      new RegExp(`^replayed ${summary.records} records in [\\d.]+ s \\(\\d+ records/s\\)\n`),
    );
    expect(again.stdout).toContain(`meter_energy_15m\t${liveRows.energy.size} rows`);
    expect(await snapshotAggregates(pool)).toEqual(replayed);
  }, 300_000);
});

function serialisable(s: AggregateSnapshot) {
  return Object.entries(s).map(([k, v]) => [k, v instanceof Map ? [...v] : v]);
}

/**
 * A hop record only the old run wrote (as an older aggregator version might have): a call offered in a queue
 * "ghost", now (never late). A queue stage that re-read the old hop topic would count it in queue_stats_1m.
 */
async function oldRunHopRecord(hop: string, tenant: string): Promise<void> {
  const ts = Date.now();
  const [record] = repartitionOutbox(hop, 2, [
    {
      kind: 'record',
      key: streamId(tenant, 'ghost'),
      value: { kind: 'fact', fact: { kind: 'offered', callId: 'ghost-1', queue: 'ghost', ts } },
      timestamp: ts,
      sourcePartition: 0,
      sequence: 1_000_000_000,
    },
  ]);
  const producer = new Kafka({ brokers: testEnv.brokers, clientId: 'old-run', logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    await producer.send({
      topic: hop,
      messages: [{ key: record.key, value: record.value, headers: { ...record.headers } }],
    });
  } finally {
    await producer.disconnect();
  }
}

function finalWindows(rows: WindowRows): number {
  return [...rows.values()].filter((r) => r.isFinal).length;
}

/** Same rows with the same numbers; a row final in the replay was final live. */
function expectSameNumbers(replayed: WindowRows, live: WindowRows): void {
  const numbers = (rows: WindowRows) => new Map([...rows].map(([k, r]) => [k, r.numbers]));
  expect(numbers(replayed)).toEqual(numbers(live));
  const finalOnlyInReplay = [...replayed].filter(([k, r]) => r.isFinal && !live.get(k)?.isFinal).map(([k]) => k);
  expect(finalOnlyInReplay).toEqual([]);
}

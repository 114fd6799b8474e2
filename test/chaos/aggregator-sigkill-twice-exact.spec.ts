import { type IngestEvent, parseEvent, toStreamRecord } from '@switchboard/domain';
import { Pool } from 'pg';
import { DEFAULT_SIMULATION, simulate } from '../../apps/cli/src/simulate/generator';
import { StreamsEventPublisher } from '../../apps/ingest/src/publishing/streams-event-publisher';
import { AggregatorFleet } from '../support/aggregator-fleet';
import { testEnv, uniqueName } from '../support/env';
import { eventually } from '../support/wait';

// End to end on the real broker and Postgres: a seeded simulator run of more than 200,000 events (meter
// readings out of order within grace, duplicates, register resets; calls and agents) published as ingest
// publishes them, two aggregator instances (the real app), one SIGKILLed twice while the input flows.
// After the input is drained, the rows in Postgres equal a computation made here from the event list,
// written from PRODUCT.md's definitions without the aggregator's code.
const GRACE = 60_000;
const QUARTER = 15 * 60_000;
const MINUTE = 60_000;

type Sim = ReturnType<typeof simulate> extends Generator<infer E> ? E : never;

function expectedEnergy(events: IngestEvent[]): Map<string, string> {
  const byMeter = new Map<string, Map<number, { mwh: number; powerW?: number }>>();
  for (const e of events) {
    if (e.type !== 'meter.reading') continue;
    const readings = byMeter.get(e.meterId) ?? new Map();
    byMeter.set(e.meterId, readings);
    if (!readings.has(e.ts)) readings.set(e.ts, { mwh: Math.round(e.energyWh * 1000), powerW: e.powerW }); // first received wins
  }
  const rows = new Map<string, { energy: number; readings: number; maxPower: number | null; resets: number }>();
  for (const [meter, readings] of byMeter) {
    const sorted = [...readings].sort((a, b) => a[0] - b[0]);
    let previous: number | undefined;
    for (const [ts, r] of sorted) {
      const id = `${meter}@${ts - (ts % QUARTER)}`;
      const row = rows.get(id) ?? { energy: 0, readings: 0, maxPower: null, resets: 0 };
      rows.set(id, row);
      row.readings++;
      if (r.powerW !== undefined) row.maxPower = Math.max(row.maxPower ?? Number.NEGATIVE_INFINITY, r.powerW);
      if (previous !== undefined) {
        const diff = r.mwh - previous;
        if (diff >= 0) row.energy += diff;
        else {
          row.energy += r.mwh; // the register restarted
          row.resets++;
        }
      }
      previous = r.mwh;
    }
  }
  return new Map([...rows].map(([id, r]) => [id, `${r.energy}|${r.readings}|${r.maxPower}|${r.resets}`]));
}

function expectedQueueStats(events: IngestEvent[], slaMs = 20_000): Map<string, string> {
  const calls = new Map<string, { queue?: string; start?: number; answer?: number; end?: number }>();
  for (const e of events) {
    if (e.type !== 'call.started' && e.type !== 'call.answered' && e.type !== 'call.ended') continue;
    const c = calls.get(e.callId) ?? {};
    calls.set(e.callId, c);
    if (e.type === 'call.started' && (c.start === undefined || e.ts < c.start)) {
      c.start = e.ts;
      c.queue = e.queue;
    }
    if (e.type === 'call.answered' && (c.answer === undefined || e.ts < c.answer)) c.answer = e.ts;
    if (e.type === 'call.ended' && (c.end === undefined || e.ts < c.end)) c.end = e.ts;
  }
  const cols = [
    'offered',
    'answered',
    'abandoned',
    'inSla',
    'short',
    'answeredWait',
    'wait',
    'maxWait',
    'talk',
    'talkCount',
  ] as const;
  const rows = new Map<string, Record<(typeof cols)[number], number>>();
  const at = (queue: string, ts: number) => {
    const id = `${queue}@${ts - (ts % MINUTE)}`;
    let r = rows.get(id);
    if (!r) {
      r = Object.fromEntries(cols.map((c) => [c, 0])) as Record<(typeof cols)[number], number>;
      rows.set(id, r);
    }
    return r;
  };
  for (const c of calls.values()) {
    if (c.start === undefined || c.queue === undefined) continue; // orphans are data quality, not metrics
    at(c.queue, c.start).offered++;
    if (c.answer !== undefined) {
      const wait = Math.max(0, c.answer - c.start);
      const r = at(c.queue, c.answer);
      r.answered++;
      if (wait <= slaMs) r.inSla++;
      r.answeredWait += wait;
      r.wait += wait;
      r.maxWait = Math.max(r.maxWait, wait);
      if (c.end !== undefined) {
        const e = at(c.queue, c.end);
        e.talk += Math.max(0, c.end - c.answer);
        e.talkCount++;
      }
    } else if (c.end !== undefined) {
      const wait = Math.max(0, c.end - c.start);
      const r = at(c.queue, c.end);
      r.abandoned++;
      if (wait <= 5000) r.short++;
      r.wait += wait;
      r.maxWait = Math.max(r.maxWait, wait);
    }
  }
  return new Map([...rows].map(([id, r]) => [id, cols.map((c) => r[c]).join('|')]));
}

function expectedAgents(events: IngestEvent[]): Map<string, string> {
  const order = ['available', 'busy', 'wrap_up', 'break', 'offline'];
  const latest = new Map<string, { ts: number; status: string }>();
  for (const e of events) {
    if (e.type !== 'agent.status') continue;
    const seen = latest.get(e.agentId);
    if (!seen || e.ts > seen.ts || (e.ts === seen.ts && order.indexOf(e.status) > order.indexOf(seen.status)))
      latest.set(e.agentId, { ts: e.ts, status: e.status });
  }
  return new Map([...latest].map(([id, s]) => [id, `${s.status}@${s.ts}`]));
}

describe('aggregator chaos: 200,000 simulated events, one of two instances SIGKILLed twice', () => {
  const namespace = uniqueName('e2e');
  const tenant = uniqueName('tenant');
  const pool = new Pool({ connectionString: testEnv.databaseUrl, max: 4 });
  const fleet = new AggregatorFleet({
    graceMs: GRACE,
    idleMs: 5000,
    extraEnv: { SWITCHBOARD_TOPIC_NAMESPACE: namespace },
  });
  const publisher = new StreamsEventPublisher({
    brokers: testEnv.brokers,
    clientId: 'e2e',
    timeoutMs: 30_000,
    topicNamespace: namespace,
  });

  afterAll(async () => {
    await fleet.stopAll();
    await publisher.close();
    await pool.end();
  });

  it('leaves exactly the rows the definitions give', async () => {
    const emissions: Sim[] = [
      ...simulate({
        ...DEFAULT_SIMULATION,
        seed: 20261125,
        start: Date.now() - 3 * 3600_000,
        durationMs: 2 * 3600_000,
        meters: 260,
        meterIntervalMs: 10_000,
        callsPerMinute: 60,
        agents: 60,
        anomalies: { duplicate: 0.005, outOfOrder: 0.01, late: 0, reset: 0.001 },
      }),
    ];
    const events = emissions.map((e) => {
      const parsed = parseEvent(e.event);
      if (!parsed.ok) throw new Error(`simulator produced an invalid event: ${parsed.error}`);
      return parsed.event;
    });
    expect(events.length).toBeGreaterThanOrEqual(200_000);

    fleet.start('a');
    fleet.start('b');
    const publishRange = async (from: number, to: number) => {
      // Requests of 400 events span ~15 s of event time here: a request packs each entity's events into one
      // message, so one spanning more than the grace period would make other entities' earlier events late.
      for (let i = from; i < to; i += 400)
        await publisher.publish(events.slice(i, Math.min(to, i + 400)).map((e) => toStreamRecord(tenant, e)));
    };
    const third = Math.floor(events.length / 3);
    await publishRange(0, third);
    await fleet.stop('a', 'SIGKILL');
    fleet.start('a2');
    await publishRange(third, 2 * third);
    await new Promise((r) => setTimeout(r, 3000)); // let a2 join and take partitions, then kill it mid-run
    await fleet.stop('a2', 'SIGKILL');
    fleet.start('a3');
    await publishRange(2 * third, events.length);

    const hop = `${fleet.groupPrefix}.calls.by-queue`;
    await eventually(
      async () => {
        expect(
          await fleet.drained(pool, {
            energy: [`${namespace}.events.meters`],
            agents: [`${namespace}.events.agents`],
            calls: [`${namespace}.events.calls`],
          }),
        ).toBe(true);
        const unsent = await pool.query(
          `SELECT count(*)::int AS n FROM streams_outbox WHERE topic = $1 AND sent_at IS NULL`,
          [hop],
        );
        expect(unsent.rows[0].n).toBe(0);
        expect(await fleet.drained(pool, { queues: [hop] })).toBe(true);
      },
      240_000,
      1000,
    );

    const energy = await pool.query(
      `SELECT meter_id, (extract(epoch FROM window_start) * 1000)::bigint AS ws, energy_mwh, readings, max_power_w, resets
       FROM meter_energy_15m WHERE tenant = $1`,
      [tenant],
    );
    expect(
      new Map(
        energy.rows.map((r) => [`${r.meter_id}@${r.ws}`, `${r.energy_mwh}|${r.readings}|${r.max_power_w}|${r.resets}`]),
      ),
    ).toEqual(expectedEnergy(events));

    const stats = await pool.query(
      `SELECT queue, (extract(epoch FROM window_start) * 1000)::bigint AS ws, offered, answered, abandoned, answered_in_sla, abandoned_short,
              answered_wait_ms_sum, wait_ms_sum, coalesce(max_wait_ms, 0) AS max_wait_ms, talk_ms_sum, talk_count
       FROM queue_stats_1m WHERE tenant = $1 AND (offered + answered + abandoned + talk_count) > 0`,
      [tenant],
    );
    const got = new Map(
      stats.rows.map((r) => [
        `${r.queue}@${r.ws}`,
        [
          r.offered,
          r.answered,
          r.abandoned,
          r.answered_in_sla,
          r.abandoned_short,
          r.answered_wait_ms_sum,
          r.wait_ms_sum,
          r.max_wait_ms,
          r.talk_ms_sum,
          r.talk_count,
        ]
          .map(Number)
          .join('|'),
      ]),
    );
    expect(got).toEqual(expectedQueueStats(events));

    const agents = await pool.query(
      `SELECT agent_id, status, (extract(epoch FROM since) * 1000)::bigint AS ts FROM agent_status WHERE tenant = $1`,
      [tenant],
    );
    expect(new Map(agents.rows.map((r) => [r.agent_id, `${r.status}@${r.ts}`]))).toEqual(expectedAgents(events));

    expect(fleet.log.filter((l) => /failed to start|Error:/.test(l))).toEqual([]);
  }, 420_000);
});

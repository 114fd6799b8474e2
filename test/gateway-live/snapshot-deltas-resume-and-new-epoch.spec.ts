import { eventually } from '../support/wait';
import { gauge, LiveGateway, liveSuite, meterWindow, token } from './live-harness';

/**
 * Subscribe → a snapshot filled from Postgres → deltas in seq order, older and duplicate versions dropped; a
 * reconnect with resume gets exactly the missed rows; another gateway (another epoch) answers the same resume
 * with a snapshot.
 */
describe('live delivery: snapshot, ordered deltas, resume', () => {
  const windowStart = Math.floor(Date.now() / 60_000) * 60_000;
  const meterStart = Math.floor(Date.now() / 900_000) * 900_000;
  let tenant = '';
  const suite = liveSuite({}, async (pool) => {
    tenant = suite.tenant('ta');
    await pool.query(
      `INSERT INTO queue_stats_1m (tenant, queue, window_start, window_end, offered, answered, version)
       VALUES ($1, 'q1', $2, $3, 5, 4, 7)`,
      [tenant, new Date(windowStart), new Date(windowStart + 60_000)],
    );
    await pool.query(
      `INSERT INTO agent_status (tenant, agent_id, status, since, version) VALUES ($1, 'a1', 'busy', now(), 3)`,
      [tenant],
    );
    await pool.query(
      `INSERT INTO meter_energy_15m (tenant, meter_id, window_start, window_end, energy_mwh, readings, version)
       VALUES ($1, 'm1', $2, $3, 1234, 2, 2)`,
      [tenant, new Date(meterStart - 900_000), new Date(meterStart)],
    );
  });
  const { gateway, publisher, pool, namespace } = suite;
  const probe = (t = token(tenant, 'analyst')) => suite.probe({ token: t }); // an analyst reads queues and meters

  it('sends a snapshot from Postgres, then deltas in seq order without older or repeated versions', async () => {
    const p = probe();
    await p.connected();
    p.subscribe('queues');
    const snap = await eventually(() => {
      expect(p.of('queues')[0]?.type).toBe('snapshot');
      return p.of('queues')[0];
    });
    const byId = new Map(snap.rows.map((r) => [r.id, r]));
    expect(byId.get(`${tenant}/queue_stats_1m/q1/${windowStart}`)).toMatchObject({
      kind: 'queue_stats_1m',
      version: 7,
      row: { queue: 'q1', offered: 5, answered: 4, window_start: new Date(windowStart).toISOString() },
    });
    expect(byId.get(`${tenant}/agent_status/a1`)).toMatchObject({ version: 3, row: { status: 'busy' } });
    expect(byId.get(`${tenant}/agent_counts`)).toMatchObject({ version: 3, row: { busy: 1, available: 0 } });

    // v1, v2, v2 again, v1 again, v3: a client sees 1, 2, 3 and nothing else.
    await publisher.updates([gauge(tenant, 'q1', 1), gauge(tenant, 'q1', 2)]);
    await publisher.updates([gauge(tenant, 'q1', 2), gauge(tenant, 'q1', 1), gauge(tenant, 'q1', 3)]);
    const gaugeId = `${tenant}/queue_gauge/q1`;
    await eventually(() => expect(p.versions('queues').get(gaugeId)).toBe(3));
    const frames = p.of('queues');
    const gaugeVersions = frames.flatMap((f) => f.rows.filter((r) => r.id === gaugeId).map((r) => r.version));
    expect(gaugeVersions).toEqual([...gaugeVersions].sort((a, b) => a - b));
    expect(new Set(gaugeVersions).size).toBe(gaugeVersions.length);
    for (let i = 1; i < frames.length; i++) {
      const f = frames[i];
      expect(f.type).toBe('delta');
      if (f.type === 'delta') expect(f.from).toBe(frames[i - 1].seq);
      expect(f.epoch).toBe(snap.epoch);
    }
  });

  it('loads a meter channel from Postgres on subscribe and streams its windows', async () => {
    const p = probe();
    await p.connected();
    p.subscribe('meter:m1');
    await eventually(() =>
      expect(p.versions('meter:m1').get(`${tenant}/meter_energy_15m/m1/${meterStart - 900_000}`)).toBe(2),
    );
    await publisher.updates([meterWindow(tenant, 'm1', meterStart, 1)]);
    await eventually(() => expect(p.versions('meter:m1').get(`${tenant}/meter_energy_15m/m1/${meterStart}`)).toBe(1));
  });

  it('resumes with exactly the missed rows; another epoch gets a snapshot', async () => {
    const first = probe();
    await first.connected();
    first.subscribe('queues');
    await eventually(() => expect(first.of('queues').length).toBeGreaterThan(0));
    await publisher.updates([gauge(tenant, 'q2', 1)]);
    await eventually(() => expect(first.versions('queues').get(`${tenant}/queue_gauge/q2`)).toBe(1));
    const last = first.of('queues').at(-1);
    first.close();

    await publisher.updates([gauge(tenant, 'q2', 2), gauge(tenant, 'q3', 1), gauge(tenant, 'q2', 3)]);
    // q2 and q3 are different queues, so their updates travel in different partitions: wait for both.
    await eventually(() => {
      const log = gateway.service.state.channel(tenant, 'queues')?.log;
      expect([log?.versionOf(`${tenant}/queue_gauge/q2`), log?.versionOf(`${tenant}/queue_gauge/q3`)]).toEqual([3, 1]);
    });

    const again = probe();
    await again.connected();
    again.subscribe('queues', { epoch: last?.epoch ?? '', seq: last?.seq ?? 0 });
    const resumed = await eventually(() => {
      expect(again.of('queues').length).toBe(1);
      return again.of('queues')[0];
    });
    expect(resumed).toMatchObject({ type: 'delta', from: last?.seq, epoch: last?.epoch });
    // Exactly the missed rows at their latest versions; rows of different queues have no order between them.
    expect(resumed.rows.map((r) => [r.id, r.version]).sort()).toEqual([
      [`${tenant}/queue_gauge/q2`, 3],
      [`${tenant}/queue_gauge/q3`, 1],
    ]);

    const other = await new LiveGateway(namespace, pool).start();
    try {
      const elsewhere = suite.probe({ token: token(tenant, 'analyst') }, other);
      await elsewhere.connected();
      elsewhere.subscribe('queues', { epoch: last?.epoch ?? '', seq: last?.seq ?? 0 });
      const fresh = await eventually(() => {
        expect(elsewhere.of('queues').length).toBeGreaterThan(0);
        return elsewhere.of('queues')[0];
      });
      expect(fresh.type).toBe('snapshot');
      expect(fresh.epoch).not.toBe(last?.epoch);
      // The new instance read the gauges of the last minutes from metrics.updates at start.
      expect(new Map(fresh.rows.map((r) => [r.id, r.version])).get(`${tenant}/queue_gauge/q2`)).toBe(3);
      elsewhere.close();
    } finally {
      await other.close();
    }
  });
});

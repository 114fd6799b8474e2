import type { MetricUpdate } from '@switchboard/domain';
import { eventually } from '../support/wait';
import { AggregatorFixture } from './energy-fixtures';

// agent.status events through ingest's routing, older ones arriving after newer ones and a same-ts tie:
// agent_status holds the latest status by event time; agent_counts (per tenant, over both partitions) match.
describe('agent status latest by event time', () => {
  const fx = new AggregatorFixture();
  beforeAll(() => fx.setUp());
  afterAll(() => fx.tearDown());

  it('keeps the newest status per agent whatever the arrival order, and counts agents by status', async () => {
    const t = Date.now() - 60_000;
    fx.startRelay();
    const updates = await fx.collect(fx.updatesTopic);
    await fx.startAgents();

    const status = (agentId: string, s: string, ts: number) => ({ type: 'agent.status', agentId, status: s, ts });
    await fx.publish([
      status('a1', 'busy', t + 5_000),
      status('a1', 'available', t + 1_000), // older: loses
      status('a2', 'available', t),
      status('a3', 'break', t + 3_000),
      status('a3', 'offline', t + 3_000), // same ts: the later in AGENT_STATUSES order wins
      status('a4', 'wrap_up', t),
    ]);
    await new Promise((r) => setTimeout(r, 500));
    await fx.publish([status('a2', 'busy', t + 9_000), status('a4', 'available', t - 1_000)]);

    const expected = [
      ['a1', 'busy', t + 5_000],
      ['a2', 'busy', t + 9_000],
      ['a3', 'offline', t + 3_000],
      ['a4', 'wrap_up', t],
    ];
    await eventually(
      async () => {
        const r = await fx.pool.query<{ agent_id: string; status: string; since: Date }>(
          'SELECT agent_id, status, since FROM agent_status WHERE tenant = $1 ORDER BY agent_id',
          [fx.tenant],
        );
        expect(r.rows.map((row) => [row.agent_id, row.status, row.since.getTime()])).toEqual(expected);
      },
      30_000,
      200,
    );

    const counts = await eventually(
      () => {
        const mine = updates
          .map((m) => JSON.parse(m.value) as MetricUpdate)
          .filter((u) => u.kind === 'agent_counts' && u.tenant === fx.tenant);
        const newest = mine.reduce<MetricUpdate | undefined>(
          (a, u) => (!a || u.version > a.version ? u : a),
          undefined,
        );
        expect(newest?.row).toEqual({ tenant: fx.tenant, available: 0, busy: 2, wrap_up: 1, break: 0, offline: 1 });
        return mine;
      },
      30_000,
      200,
    );
    // The count's version is Σ of the tenant's agent versions: it grows with every published count.
    const versions = counts.map((u) => u.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    const statusUpdates = updates
      .map((m) => JSON.parse(m.value) as MetricUpdate)
      .filter((u) => u.id === `${fx.tenant}/agent_status/a1`);
    expect(statusUpdates[statusUpdates.length - 1].row).toMatchObject({ status: 'busy', agent_id: 'a1' });
  }, 60_000);
});

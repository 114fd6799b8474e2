import { agentStatusUpdate, queueGaugeUpdate } from '@switchboard/domain';
import type { LiveState } from './live-state';
import { boundedState } from './live-state.spec-support';

const HOUR = 3600_000;
const gauge = (tenant: string, queue: string, version: number) =>
  queueGaugeUpdate({ tenant, queue, version, waiting: version, longestWaitingSince: null });

const ids = (s: LiveState, tenant: string) =>
  s
    .channel(tenant, 'queues')
    ?.log.snapshot()
    .rows.map((r) => r.id)
    .sort();

describe("a tenant's queues channel", () => {
  it("at its limit, a new row pushes out that tenant's least recently changed row, never another tenant's", () => {
    const { s, clock, notices } = boundedState({ maxQueueRowsPerTenant: 3 });
    s.applyUpdate(gauge('b', 'q1', 1));
    for (const q of ['q1', 'q2', 'q3']) s.applyUpdate(gauge('a', q, 1));
    s.applyUpdate(gauge('a', 'q1', 2)); // q2 is now a's least recently changed
    expect(s.applyUpdate(gauge('a', 'q4', 1))).toBe(true);
    expect(ids(s, 'a')).toEqual(['a/queue_gauge/q1', 'a/queue_gauge/q3', 'a/queue_gauge/q4']);
    expect(ids(s, 'b')).toEqual(['b/queue_gauge/q1']);
    expect(s.bounded.queueRowsLimit).toBe(1);
    expect(s.boundFigures()).toMatchObject({ queueRows: 4, queueTenantsAtLimit: 1 });
    expect(notices).toEqual([
      expect.objectContaining({
        outcome: 'rows_evicted',
        tenant: 'a',
        channelKey: 'a|queues',
        message: expect.stringContaining('the queues channel of tenant a holds its limit of 3 rows'),
      }),
    ]);
    // Told once a minute while it stays at the limit, not at every row.
    s.applyUpdate(gauge('a', 'q5', 1));
    expect(notices).toHaveLength(1);
    clock.now += 61_000;
    s.applyUpdate(gauge('a', 'q6', 1));
    expect(notices).toHaveLength(2);
  });

  it('lets gauges and agents go once unchanged for queueIdleMs; agent_counts stays; a change brings a row back', () => {
    const { s, clock } = boundedState({ queueIdleMs: 24 * HOUR });
    // An agent whose status was set 30 h ago (as the start fill reads it from Postgres) is idle already.
    const agent = (id: string, since: number, version: number) =>
      agentStatusUpdate({ tenant: 'a', agentId: id, status: 'available', since, version });
    s.applyUpdate(agent('old', clock.now - 30 * HOUR, 1));
    s.applyUpdate(agent('recent', clock.now - HOUR, 1));
    s.applyUpdate(gauge('a', 'q1', 1));
    s.applyUpdate({
      id: 'a/agent_counts',
      kind: 'agent_counts',
      tenant: 'a',
      version: 2,
      row: { tenant: 'a', available: 2, busy: 0, wrap_up: 0, break: 0, offline: 0 },
    });
    s.tick();
    expect(ids(s, 'a')).toEqual(['a/agent_counts', 'a/agent_status/recent', 'a/queue_gauge/q1']);
    clock.now += 23.5 * HOUR;
    s.applyUpdate(gauge('a', 'q1', 2));
    s.tick();
    expect(ids(s, 'a')).toEqual(['a/agent_counts', 'a/queue_gauge/q1']);
    expect(s.bounded.queueRowsIdle).toBe(2);
    s.applyUpdate(agent('old', clock.now, 2));
    expect(ids(s, 'a')).toContain('a/agent_status/old');
  });
});

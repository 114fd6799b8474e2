import {
  agentCounts,
  applyDelta,
  applySnapshot,
  firingAlerts,
  formatPercent,
  formatSeconds,
  formatWait,
  type LiveRow,
  queueSummaries,
  tokenFromHash,
} from './assets/wallboard-logic';

// The page's pure logic, the very file the browser loads (a classic script, required here as CommonJS).
const NOW = Date.parse('2026-03-01T10:07:30Z');
const minute = (m: number): string => new Date(Date.parse('2026-03-01T10:00:00Z') + m * 60_000).toISOString();
const window = (queue: string, start: string, cols: Record<string, number>, version = 1): LiveRow => ({
  id: `t/queue_stats_1m/${queue}/${Date.parse(start)}`,
  kind: 'queue_stats_1m',
  version,
  row: { tenant: 't', queue, window_start: start, ...cols },
});

describe('wallboard logic', () => {
  it('keeps the highest version per row across deltas and snapshots', () => {
    const v = (id: string, version: number, waiting: number): LiveRow => ({
      id,
      kind: 'queue_gauge',
      version,
      row: { queue: id, waiting },
    });
    const state = applySnapshot(new Map(), [v('a', 2, 2), v('b', 1, 1)]);
    expect(applyDelta(state, [v('a', 1, 9)])).toBe(false); // older: dropped
    expect(applyDelta(state, [v('a', 2, 9)])).toBe(false); // same version again: dropped
    expect(applyDelta(state, [v('a', 3, 3)])).toBe(true);
    expect(state.get('a')?.row?.waiting).toBe(3);
    // A later snapshot carrying an older version of a row keeps the newer one; rows absent from it are gone.
    const next = applySnapshot(state, [v('a', 2, 2)]);
    expect(next.get('a')?.version).toBe(3);
    expect(next.has('b')).toBe(false);
    // A tombstone at a higher version removes the row from view but still guards against older versions.
    applyDelta(next, [{ id: 'a', kind: 'queue_gauge', version: 4, row: null }]);
    applyDelta(next, [v('a', 3, 3)]);
    expect(queueSummaries(next.values(), NOW)).toEqual([]);
  });

  it('sums the windows of the last 15 minutes, then derives (never averages averages)', () => {
    const rows: LiveRow[] = [
      // 10:07 is the current minute; 09:53 is the oldest of the 15; 09:52 is outside.
      window('sales', minute(7), {
        offered: 10,
        answered: 8,
        abandoned: 2,
        answered_in_sla: 6,
        abandoned_short: 1,
        answered_wait_ms_sum: 80_000,
      }),
      window('sales', minute(-7), {
        offered: 2,
        answered: 1,
        abandoned: 0,
        answered_in_sla: 0,
        abandoned_short: 0,
        answered_wait_ms_sum: 70_000,
      }),
      window('sales', minute(-8), { offered: 100, answered: 100, answered_in_sla: 100, answered_wait_ms_sum: 1 }),
      {
        id: 't/queue_gauge/sales',
        kind: 'queue_gauge',
        version: 5,
        row: { queue: 'sales', waiting: 3, longest_waiting_since: '2026-03-01T10:06:00.000Z' },
      },
      window('billing', minute(-20), { offered: 4 }),
    ];
    const [billing, sales] = queueSummaries(rows, NOW);
    expect(sales).toEqual({
      queue: 'sales',
      waiting: 3,
      longestWaitingSince: '2026-03-01T10:06:00.000Z',
      offered: 12,
      answered: 9,
      abandoned: 2,
      // 6 / (9 + 2 − 1); the windows' own levels (0.667 and 0) would average to 0.333
      serviceLevel: 0.6,
      asaMs: 150_000 / 9,
      abandonRate: 2 / 12,
      // No call of these windows ended after an answer.
      averageCallDurationMs: null,
    });
    // A queue seen only outside the horizon is shown with nothing to judge.
    expect(billing).toEqual(
      expect.objectContaining({ queue: 'billing', offered: 0, serviceLevel: null, asaMs: null, abandonRate: null }),
    );
  });

  it('formats waits, percentages and seconds for the wallboard', () => {
    expect(formatWait(null, NOW)).toBe('—');
    expect(formatWait('2026-03-01T10:07:25Z', NOW)).toBe('0:05');
    expect(formatWait('2026-03-01T10:05:00Z', NOW)).toBe('2:30');
    expect(formatWait('2026-03-01T08:07:29Z', NOW)).toBe('2:00:01');
    expect(formatWait('2026-03-01T10:08:00Z', NOW)).toBe('0:00'); // a clock ahead of ours: never negative
    expect(formatPercent(null)).toBe('—');
    expect(formatPercent(0.6)).toBe('60 %');
    expect(formatSeconds(150_000 / 9)).toBe('17 s');
    expect(formatSeconds(null)).toBe('—');
  });

  it('lists firing alerts, critical first, and agents by status', () => {
    const alert = (id: string, severity: string, state: string, firedAt: string): LiveRow => ({
      id,
      kind: 'alert',
      version: 1,
      row: {
        rule: 'queue_longest_wait_high',
        entity_type: 'queue',
        entity_id: 'sales',
        severity,
        state,
        fired_at: firedAt,
      },
    });
    const alerts = firingAlerts([
      alert('w-old', 'warning', 'firing', minute(1)),
      alert('c', 'critical', 'firing', minute(0)),
      alert('w-new', 'warning', 'firing', minute(2)),
      alert('r', 'critical', 'resolved', minute(3)),
    ]);
    expect(alerts.map((a) => a.id)).toEqual(['c', 'w-new', 'w-old']);
    expect(alerts[0]).toEqual(expect.objectContaining({ severity: 'critical', entity: 'queue sales' }));

    expect(agentCounts([])).toBeNull();
    expect(
      agentCounts([
        {
          id: 't/agent_counts',
          kind: 'agent_counts',
          version: 7,
          row: { available: 2, busy: 3, wrap_up: 1, break: 0 },
        },
      ]),
    ).toEqual([
      ['available', 2],
      ['busy', 3],
      ['wrap_up', 1],
      ['break', 0],
      ['offline', 0],
    ]);
  });

  it('reads the token from the URL fragment only', () => {
    expect(tokenFromHash('#token=sbt_abc.def')).toBe('sbt_abc.def');
    expect(tokenFromHash('#x=1&token=sbt_x')).toBe('sbt_x');
    expect(tokenFromHash('#token=')).toBeNull();
    expect(tokenFromHash('')).toBeNull();
  });
});

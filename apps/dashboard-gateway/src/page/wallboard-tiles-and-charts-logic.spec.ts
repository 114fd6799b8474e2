import { filled, queueSeries } from './assets/chart-logic';
import { alertFeed, type LiveRow, queueSummaries, queueWindows, tileLevel } from './assets/wallboard-logic';

// The wallboard's tiles and charts: average call duration of the 15 minutes, the tile colour by the tenant's own
// thresholds (as the alert rules judge), a queue's hour per minute, and the alerts feed with raise/resolve times.
const NOW = Date.parse('2026-03-01T10:07:30Z');
const at = (m: number) => new Date(Date.parse('2026-03-01T10:00:00Z') + m * 60_000).toISOString();
const win = (queue: string, m: number, cols: Record<string, number>): LiveRow => ({
  id: `t/queue_stats_1m/${queue}/${Date.parse(at(m))}`,
  kind: 'queue_stats_1m',
  version: 1,
  row: { tenant: 't', queue, window_start: at(m), ...cols },
});
const thresholds = [
  { rule: 'queue_service_level_low', threshold: 0.8, enabled: true },
  { rule: 'queue_longest_wait_high', threshold: 60, enabled: true },
];

describe('wallboard tiles', () => {
  it('derives the average call duration from the summed talk columns', () => {
    const [q] = queueSummaries(
      [
        win('sales', 5, { talk_ms_sum: 300_000, talk_count: 2 }),
        win('sales', 6, { talk_ms_sum: 60_000, talk_count: 1 }),
      ],
      NOW,
    );
    expect(q.averageCallDurationMs).toBe(120_000);
    expect(queueSummaries([win('sales', 5, { offered: 1 })], NOW)[0].averageCallDurationMs).toBeNull();
  });

  it('turns amber below the service level threshold, red below half of it, and says why', () => {
    const base = { queue: 's', waiting: 0, longestWaitingSince: null, offered: 0, answered: 0, abandoned: 0 };
    const tile = (serviceLevel: number | null) =>
      tileLevel(
        { ...base, serviceLevel, asaMs: null, abandonRate: null, averageCallDurationMs: null },
        thresholds,
        NOW,
      );
    expect(tile(0.85)).toEqual({ level: 'ok', reasons: [] });
    expect(tile(null)).toEqual({ level: 'ok', reasons: [] });
    expect(tile(0.79)).toEqual({ level: 'amber', reasons: ['service level below 80 %'] });
    expect(tile(0.39).level).toBe('red');
    // The tenant's own threshold, not the default; a disabled rule colours nothing.
    expect(
      tileLevel(
        { ...base, serviceLevel: 0.85, asaMs: null, abandonRate: null, averageCallDurationMs: null },
        [{ rule: 'queue_service_level_low', threshold: 0.9, enabled: true }],
        NOW,
      ).level,
    ).toBe('amber');
    expect(
      tileLevel(
        { ...base, serviceLevel: 0.1, asaMs: null, abandonRate: null, averageCallDurationMs: null },
        [{ rule: 'queue_service_level_low', threshold: 0.9, enabled: false }],
        NOW,
      ).level,
    ).toBe('ok');
  });

  it('turns amber when the longest wait passes its threshold, red past twice it', () => {
    const waitTile = (waitedS: number) =>
      tileLevel(
        {
          queue: 's',
          waiting: 2,
          longestWaitingSince: new Date(NOW - waitedS * 1000).toISOString(),
          offered: 0,
          answered: 0,
          abandoned: 0,
          serviceLevel: null,
          asaMs: null,
          abandonRate: null,
          averageCallDurationMs: null,
        },
        thresholds,
        NOW,
      );
    expect(waitTile(59).level).toBe('ok');
    expect(waitTile(61)).toEqual({ level: 'amber', reasons: ['longest wait over 60 s'] });
    expect(waitTile(121).level).toBe('red');
  });
});

describe('queue chart', () => {
  it("gives one slot per minute of the hour, the current minute last, each minute's service level", () => {
    const rows = [
      win('sales', 7, { offered: 3, answered: 2, abandoned: 1, answered_in_sla: 1, abandoned_short: 0 }),
      win('sales', 2, { offered: 1 }),
      win('other', 7, { offered: 50 }),
    ];
    const s = queueSeries(queueWindows(rows, 'sales'), NOW);
    expect(s.x).toHaveLength(60);
    expect(s.x[59]).toBe(Date.parse(at(7)) / 1000);
    expect(s.x[0]).toBe(Date.parse(at(7)) / 1000 - 59 * 60);
    expect(s.offered[59]).toBe(3);
    expect(s.answered[59]).toBe(2);
    expect(s.abandoned[59]).toBe(1);
    expect(s.serviceLevel[59]).toBeCloseTo(33.3, 1);
    // No call handled: no service level (a gap in the line, not 0 %).
    expect(s.serviceLevel[54]).toBeNull();
    expect(s.offered[54]).toBe(1);
    expect(filled(s.serviceLevel)).toBe(1);
    // A new minute shifts the hour by one slot.
    const next = queueSeries(queueWindows(rows, 'sales'), NOW + 60_000);
    expect(next.x[58]).toBe(s.x[59]);
    expect(next.offered[58]).toBe(3);
  });
});

describe('alerts feed', () => {
  it('lists firing alerts first, then resolved ones by their latest change, with both times', () => {
    const alert = (id: string, state: string, fired: number, resolved: number | null): LiveRow => ({
      id,
      kind: 'alert',
      version: 1,
      row: {
        rule: 'queue_service_level_low',
        entity_type: 'queue',
        entity_id: 'sales',
        severity: 'warning',
        state,
        message: 'm',
        fired_at: at(fired),
        resolved_at: resolved === null ? null : at(resolved),
      },
    });
    const feed = alertFeed([alert('a', 'resolved', 1, 3), alert('b', 'firing', 0, null), alert('c', 'resolved', 2, 5)]);
    expect(feed.map((a) => [a.id, a.firing, a.resolvedAt])).toEqual([
      ['b', true, null],
      ['c', false, at(5)],
      ['a', false, at(3)],
    ]);
  });
});

import { energySeries, filled } from './assets/chart-logic';
import {
  energyOverview,
  formatEnergy,
  formatPower,
  meterFromHash,
  meterWindows,
  windowState,
} from './assets/energy-logic';
import type { LiveRow } from './assets/wallboard-logic';

// The energy page's pure logic, the very files the browser loads: sites, top and silent meters, meter alerts,
// the 24-hour chart's slots by window state, and the formatting.
const Q = 15 * 60_000;
// 2026-03-02 23:10 UTC: the 3rd in Berlin, the 2nd in London.
const NOW = Date.parse('2026-03-02T23:10:00Z');
const meterNow = (id: string, o: Record<string, unknown>): LiveRow => ({
  id: `t/meter_now/${id}`,
  kind: 'meter_now',
  version: 1,
  row: {
    meter_id: id,
    name: `Meter ${id}`,
    site: 'hq',
    timezone: 'Europe/London',
    latest_window_start: new Date(Date.parse('2026-03-02T23:00:00Z')).toISOString(),
    latest_max_power_w: 1000,
    last_heard_at: new Date(NOW - 60_000).toISOString(),
    day: '2026-03-02',
    day_energy_mwh: 5_000_000,
    ...o,
  },
});
const siteWindow = (site: string | null, start: number, o: Record<string, unknown> = {}): LiveRow => ({
  id: `t/site_energy_15m/${site ?? ''}/${start}`,
  kind: 'site_energy_15m',
  version: 1,
  row: {
    site,
    window_start: new Date(start).toISOString(),
    energy_mwh: 250_000,
    is_final: true,
    restated_meters: 0,
    ...o,
  },
});

describe('energy overview', () => {
  it("sums each site's power now and its meters' local days so far", () => {
    const o = energyOverview(
      [
        meterNow('a', {}),
        meterNow('b', { day_energy_mwh: 2_000_000, latest_max_power_w: 500 }),
        // Its newest window is an hour old: no power now.
        meterNow('c', { latest_window_start: new Date(NOW - 4 * Q).toISOString() }),
        // Berlin's day is the 3rd already: its row of the 2nd counts nothing for today.
        meterNow('d', { site: 'berlin', timezone: 'Europe/Berlin', day: '2026-03-02' }),
        meterNow('e', { site: null }),
        siteWindow('hq', NOW - 2 * Q),
      ],
      [],
      NOW,
      null,
    );
    expect(o.sites.map((s) => [s.label, s.meters, s.powerNowW, s.todayMwh, s.windows.length])).toEqual([
      ['berlin', 1, 1000, 0, 0],
      ['hq', 3, 1500, 12_000_000, 1],
      ['No site', 1, 1000, 5_000_000, 0],
    ]);
    expect(o.topMeters.map((m) => m.meterId)).toEqual(['a', 'c', 'e', 'b']);
  });

  it('lists the ten meters with the most energy today out of 2,000, ties by id, as a full sort would', () => {
    // Energies repeat (ties), in no order: the top ten are the highest energies, equal ones by meter id.
    const ids = Array.from({ length: 2000 }, (_, i) => `m-${String((i * 7919) % 2000).padStart(4, '0')}`);
    const energy = (id: string) => ((Number(id.slice(2)) * 37) % 500) * 1_000 + 1_000;
    const o = energyOverview(
      ids.map((id) => meterNow(id, { day_energy_mwh: energy(id) })),
      [],
      NOW,
      null,
    );
    const expected = [...ids]
      .sort((a, b) => energy(b) - energy(a) || (a < b ? -1 : 1))
      .slice(0, 10)
      .map((id) => [id, energy(id)]);
    expect(o.topMeters.map((m) => [m.meterId, m.todayMwh])).toEqual(expected);
    expect(new Set(expected.map(([, e]) => e)).size).toBeLessThan(10); // the case has ties
  });

  it("names silent meters by the tenant's threshold or a firing meter_silent alert", () => {
    const rows = [
      meterNow('quiet', { last_heard_at: new Date(NOW - 11 * 60_000).toISOString() }),
      meterNow('never', { last_heard_at: null }),
      meterNow('fine', {}),
      meterNow('alerted', {}),
    ];
    const alert: LiveRow = {
      id: 'x',
      kind: 'alert',
      version: 1,
      row: {
        rule: 'meter_silent',
        entity_type: 'meter',
        entity_id: 'alerted',
        severity: 'warning',
        state: 'firing',
        message: 'silent',
        fired_at: new Date(NOW).toISOString(),
        resolved_at: null,
      },
    };
    const queueAlert: LiveRow = {
      ...alert,
      id: 'y',
      row: { ...alert.row, entity_type: 'queue', rule: 'queue_service_level_low' },
    };
    const tenMinutes = [{ rule: 'meter_silent', threshold: 600, enabled: true }];
    const o = energyOverview(rows, [alert, queueAlert], NOW, tenMinutes);
    expect(o.silentMeters.map((m) => m.meterId)).toEqual(['alerted', 'never', 'quiet']);
    expect(o.alerts.map((a) => a.id)).toEqual(['x']);
    // With the default (an hour) the quiet meter is not silent yet.
    expect(energyOverview(rows, [], NOW, null).silentMeters.map((m) => m.meterId)).toEqual(['never']);
  });
});

describe('energy chart', () => {
  it('gives 96 quarter-hour slots of 24 h, final, provisional and restated apart, gaps where nothing came', () => {
    const last = Math.floor(NOW / Q) * Q;
    const s = energySeries(
      [
        siteWindow('hq', last, { is_final: false, energy_mwh: 100_000 }).row as Record<string, unknown>,
        siteWindow('hq', last - Q, { energy_mwh: 1_500_000 }).row as Record<string, unknown>,
        siteWindow('hq', last - 2 * Q, { restated_meters: 1 }).row as Record<string, unknown>,
        siteWindow('hq', last - 30 * 3600_000).row as Record<string, unknown>,
      ],
      NOW,
      24 * 3600_000,
    );
    expect(s.x).toHaveLength(96);
    expect(s.x[95]).toBe(last / 1000);
    expect(s.provisional[95]).toBe(0.1);
    expect(s.final[95]).toBeNull();
    expect(s.final[94]).toBe(1.5);
    expect(s.restated[93]).toBe(0.25);
    expect(s.final[93]).toBe(0.25);
    expect([filled(s.final), filled(s.provisional), filled(s.restated)]).toEqual([2, 1, 1]);
  });

  it("marks a meter's windows by state, newest first", () => {
    const w = (start: number, o: Record<string, unknown>): LiveRow => ({
      id: `t/meter_energy_15m/m/${start}`,
      kind: 'meter_energy_15m',
      version: 1,
      row: { window_start: new Date(start).toISOString(), energy_mwh: 1, is_final: true, revision: 0, ...o },
    });
    expect(meterWindows([w(0, { revision: 2 }), w(Q, { is_final: false }), w(2 * Q, {})]).map((r) => r.state)).toEqual([
      'final',
      'provisional',
      'restated',
    ]);
    expect(windowState({ is_final: true, revision: 0 })).toBe('final');
  });
});

describe('energy formatting', () => {
  it('formats energy, power and the drill-down fragment', () => {
    expect(formatEnergy(850_400)).toBe('850 Wh');
    expect(formatEnergy(12_345_678)).toBe('12.35 kWh');
    expect(formatEnergy(2_500_000_000)).toBe('2.50 MWh');
    expect(formatPower(640.4)).toBe('640 W');
    expect(formatPower(12_340)).toBe('12.3 kW');
    expect(meterFromHash('#meter=m-1')).toBe('m-1');
    expect(meterFromHash('#meter=../x')).toBeNull();
    expect(meterFromHash('')).toBeNull();
  });
});

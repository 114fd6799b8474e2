import { type MeterEnergy15mRow, meterEnergyUpdate } from '@switchboard/domain';
import { ChannelLog } from './channel-log';
import { EnergyFeed } from './energy-channel';
import { EnergyOverview, localDate, type MeterInfo } from './energy-overview';

const Q = 15 * 60_000;
const H = 26 * 3600_000;
// 2026-03-02 22:30 UTC: already the 3rd in Berlin (+01:00), still the 2nd in London.
const NOW = Date.parse('2026-03-02T23:10:00Z');
const W = Date.parse('2026-03-02T22:45:00Z');

const win = (meterId: string, start: number, o: Partial<Parameters<typeof meterEnergyUpdate>[0]> = {}) =>
  meterEnergyUpdate({
    tenant: 't',
    meterId,
    windowStart: start,
    windowEnd: start + Q,
    energyMwh: 1000,
    readings: 15,
    maxPowerW: 500,
    resets: 0,
    isFinal: true,
    version: 1,
    revision: 0,
    ...o,
  }).row;

const meter = (meterId: string, site: string | null, timezone = 'UTC'): MeterInfo => ({
  meterId,
  name: `Meter ${meterId}`,
  site,
  timezone,
});

function overview(): EnergyOverview {
  const o = new EnergyOverview('t', H);
  o.addMeter(meter('a', 'hq', 'Europe/London'), NOW);
  o.addMeter(meter('b', 'hq', 'Europe/London'), NOW);
  o.addMeter(meter('c', 'berlin', 'Europe/Berlin'), NOW);
  return o;
}

describe('energy overview', () => {
  it("sums a site's meters per window; final only when every meter is, restated counted, version the sum", () => {
    const o = overview();
    const w = Date.parse('2026-03-02T22:00:00Z');
    o.apply(win('a', w, { energyMwh: 1200, version: 3 }), NOW);
    const [site] = o.apply(win('b', w, { energyMwh: 800, isFinal: false, version: 2, maxPowerW: 300 }), NOW);
    expect(site).toMatchObject({
      id: `t/site_energy_15m/hq/${w}`,
      kind: 'site_energy_15m',
      version: 5,
      row: { site: 'hq', energy_mwh: 2000, meters: 2, final_meters: 1, is_final: false, max_power_w: 800 },
    });
    const [restated] = o.apply(win('b', w, { energyMwh: 900, version: 3, revision: 1 }), NOW);
    expect(restated).toMatchObject({
      version: 6,
      row: { energy_mwh: 2100, is_final: true, restated_meters: 1 },
    });
    // An older or equal version changes nothing; another tenant's row and an unknown meter neither.
    expect(o.apply(win('b', w, { energyMwh: 1, version: 3 }), NOW)).toEqual([]);
    expect(o.apply({ ...win('a', w, { version: 9 }), tenant: 'other' }, NOW)).toEqual([]);
    expect(o.apply(win('zz', w), NOW)).toEqual([]);
  });

  it("counts each meter's own local day, and turns the day at its midnight", () => {
    const o = overview();
    // 22:45 UTC on the 2nd: London's 2nd, Berlin's 3rd (23:45 local).
    const lateOn2nd = Date.parse('2026-03-02T22:45:00Z');
    const earlier = Date.parse('2026-03-02T20:00:00Z');
    o.apply(win('a', earlier, { energyMwh: 500 }), NOW);
    const a = o.apply(win('a', lateOn2nd, { energyMwh: 700, isFinal: false }), NOW)[1];
    expect(a.row).toMatchObject({
      meter_id: 'a',
      day: '2026-03-02',
      day_energy_mwh: 1200,
      day_windows: 2,
      day_final: false,
      latest_window_start: new Date(lateOn2nd).toISOString(),
      latest_energy_mwh: 700,
      // Heard by that window's end (it ended before now).
      last_heard_at: '2026-03-02T23:00:00.000Z',
    });
    o.apply(win('c', earlier, { energyMwh: 500 }), NOW);
    const c = o.apply(win('c', Date.parse('2026-03-02T23:00:00Z'), { energyMwh: 300 }), NOW)[1];
    // Berlin's 3rd began at 23:00 UTC: only that window counts.
    expect(c.row).toMatchObject({ day: '2026-03-03', day_energy_mwh: 300, day_final: true });

    // London's midnight: the meter's row turns to a new, empty day without a new window.
    const after = o.tick(Date.parse('2026-03-03T00:00:01Z'));
    const turned = after.find((r) => r.id === 't/meter_now/a');
    expect(turned?.row).toMatchObject({ day: '2026-03-03', day_energy_mwh: 0, day_windows: 0 });
    expect(turned?.version).toBeGreaterThan(a.version);
  });

  it('drops windows past the horizon, its site row becoming a tombstone above every version it had', () => {
    const o = overview();
    const old = NOW - H + Q;
    o.apply(win('a', old, { version: 4 }), NOW);
    const [site] = o.apply(win('b', old, { version: 2 }), NOW);
    const out = o.tick(NOW + 2 * Q);
    const gone = out.find((r) => r.kind === 'site_energy_15m');
    expect(gone).toEqual({ id: site.id, kind: 'site_energy_15m', version: site.version + 1, row: null });
    expect(out.find((r) => r.id === 't/meter_now/a')?.row).toMatchObject({ latest_window_start: null });
    // A window already older than the horizon is not taken at all.
    expect(o.apply(win('a', NOW - H - Q), NOW)).toEqual([]);
  });

  it('a meter without a site gets its own group, and the local date follows the zone', () => {
    const o = new EnergyOverview('t', H);
    o.addMeter(meter('x', null), NOW);
    expect(o.apply(win('x', NOW - Q), NOW)[0]).toMatchObject({ id: `t/site_energy_15m//${NOW - Q}` });
    expect(localDate(Date.parse('2026-03-02T23:30:00Z'), 'Asia/Kolkata')).toBe('2026-03-03');
    expect(localDate(Date.parse('2026-03-02T23:30:00Z'), 'America/New_York')).toBe('2026-03-02');
  });
});

describe('energy feed', () => {
  const log = () => new ChannelLog({ epoch: 'e', maxRows: 1000, ringSize: 100 });

  it('loads meters then windows, and holds a new meter until its site is looked up', async () => {
    const w = W;
    const asked: Array<readonly string[] | null> = [];
    const channel = log();
    const feed = new EnergyFeed(
      't',
      H,
      {
        meters: async (_tenant, ids) => {
          asked.push(ids);
          return ids === null ? [meter('a', 'hq')] : ids.map((id) => meter(id, 'annex'));
        },
        windows: async () => [win('a', w, { energyMwh: 42 })],
      },
      channel,
      () => NOW,
    );
    // Before the meters are known a row is dropped (the window query that follows reads it).
    feed.apply(win('a', w, { energyMwh: 1, version: 1 }));
    await feed.load(NOW - H);
    expect(channel.row(`t/site_energy_15m/hq/${w}`)).toMatchObject({ energy_mwh: 42 });

    const fresh: MeterEnergy15mRow = win('new', w, { energyMwh: 7 });
    feed.apply(fresh);
    feed.apply({ ...fresh, energy_mwh: 9, version: 2 });
    expect(channel.row(`t/site_energy_15m/annex/${w}`)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 20));
    expect(asked).toEqual([null, ['new']]);
    expect(channel.row(`t/site_energy_15m/annex/${w}`)).toMatchObject({ energy_mwh: 9 });
    expect(channel.versionOf(`t/site_energy_15m/annex/${w}`)).toBe(2);
  });
});

import type { MeterEnergy15mRow } from '@switchboard/domain';
import type { LiveRow } from './channel-log';

/**
 * One tenant's energy at a glance, for the `energy` channel: its meters' 15-minute windows folded into
 * - a `site_energy_15m` row per (site, window): the site's meters summed — energy, readings, peak powers — with
 *   how many of them are final and restated. The window is final when every meter in it is; its version is the
 *   sum of its meters' window versions, so it grows whenever any of them changes (the same on every gateway);
 * - a `meter_now` row per meter: its newest window (energy, peak power), the end of its newest window with
 *   readings (when it was last heard), and the energy of its local day so far (the meter's time zone, as the
 *   daily rollups count it). Its version counts its changes on this gateway (the channel's epoch is its own).
 *
 * Pure (no Postgres, no socket): LiveState feeds it rows and puts what it returns into the channel's log. A page
 * then draws 2,000 meters from 2,000 meter rows and a few sites' windows, not from 200,000 raw windows.
 */
export const SITE_ENERGY_KIND = 'site_energy_15m';
export const METER_NOW_KIND = 'meter_now';

export interface MeterInfo {
  meterId: string;
  name: string | null;
  /** null: the meter belongs to no site (shown as such). */
  site: string | null;
  /** IANA zone: the meter's, else the tenant's, else UTC. */
  timezone: string;
}

interface HeldWindow {
  energyMwh: number;
  readings: number;
  maxPowerW: number | null;
  resets: number;
  isFinal: boolean;
  version: number;
  revision: number;
  /** The local date of its start in the meter's zone (computed once). */
  date: string;
}

interface MeterHeld {
  info: MeterInfo;
  windows: Map<number, HeldWindow>;
  version: number;
  /** The local date its row's day energy was computed for. */
  day: string;
}

const Q = 15 * 60_000;
const NO_SITE = '';

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The local calendar date (YYYY-MM-DD) of an instant in a zone. */
export function localDate(ms: number, timezone: string): string {
  let f = dayFormats.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timezone, f);
  }
  return f.format(ms);
}

export class EnergyOverview {
  private readonly meters = new Map<string, MeterHeld>();
  private readonly bySite = new Map<string, MeterHeld[]>();

  constructor(
    private readonly tenant: string,
    /** Windows that started before now − this are dropped (a local day is at most 25 h: keep a little more). */
    private readonly horizonMs: number,
  ) {}

  get meterCount(): number {
    return this.meters.size;
  }

  has(meterId: string): boolean {
    return this.meters.has(meterId);
  }

  /** Registers a meter (its site and zone); rows of an unregistered meter are refused by `apply`. */
  addMeter(info: MeterInfo, now: number): LiveRow[] {
    if (this.meters.has(info.meterId)) return [];
    const held: MeterHeld = { info, windows: new Map(), version: 0, day: localDate(now, info.timezone) };
    this.meters.set(info.meterId, held);
    const site = info.site ?? NO_SITE;
    this.bySite.set(site, [...(this.bySite.get(site) ?? []), held]);
    return [this.meterRow(held, now)];
  }

  /** One meter window (newer versions only); the rows it changed: its site window and its meter row. */
  apply(row: MeterEnergy15mRow, now: number): LiveRow[] {
    const m = this.meters.get(row.meter_id);
    if (!m || row.tenant !== this.tenant) return [];
    const start = Date.parse(row.window_start);
    if (!(start >= now - this.horizonMs)) return [];
    const held = m.windows.get(start);
    if (held && held.version >= row.version) return [];
    m.windows.set(start, {
      energyMwh: row.energy_mwh,
      readings: row.readings,
      maxPowerW: row.max_power_w,
      resets: row.resets,
      isFinal: row.is_final,
      version: row.version,
      revision: row.revision,
      date: held?.date ?? localDate(start, m.info.timezone),
    });
    return [this.siteRow(m.info.site, start), this.meterRow(m, now)];
  }

  /**
   * Once a second: windows past the horizon leave (their site rows become tombstones), and meters whose local day
   * turned (or that lost a window) get a fresh row.
   */
  tick(now: number): LiveRow[] {
    const out: LiveRow[] = [];
    const today = new Map<string, string>();
    const goneSites = new Map<string, { site: string | null; start: number; version: number }>();
    for (const m of this.meters.values()) {
      const tz = m.info.timezone;
      let date = today.get(tz);
      if (date === undefined) {
        date = localDate(now, tz);
        today.set(tz, date);
      }
      let changed = date !== m.day;
      for (const [start, w] of m.windows) {
        if (start >= now - this.horizonMs) continue;
        m.windows.delete(start);
        changed = true;
        const key = `${m.info.site ?? NO_SITE}|${start}`;
        const gone = goneSites.get(key) ?? { site: m.info.site, start, version: 0 };
        gone.version += w.version;
        goneSites.set(key, gone);
      }
      if (changed) out.push(this.meterRow(m, now));
    }
    // A tombstone's version is above every version the site window had (its meters' sum, plus one).
    for (const g of goneSites.values())
      out.push({ id: this.siteId(g.site, g.start), kind: SITE_ENERGY_KIND, version: g.version + 1, row: null });
    return out;
  }

  private siteId(site: string | null, start: number): string {
    return `${this.tenant}/${SITE_ENERGY_KIND}/${site ?? NO_SITE}/${start}`;
  }

  private siteRow(site: string | null, start: number): LiveRow {
    let version = 0;
    let energy = 0;
    let readings = 0;
    let power = 0;
    let meters = 0;
    let finals = 0;
    let restated = 0;
    for (const m of this.bySite.get(site ?? NO_SITE) ?? []) {
      const w = m.windows.get(start);
      if (!w) continue;
      meters++;
      version += w.version;
      energy += w.energyMwh;
      readings += w.readings;
      power += w.maxPowerW ?? 0;
      if (w.isFinal) finals++;
      if (w.revision > 0) restated++;
    }
    return {
      id: this.siteId(site, start),
      kind: SITE_ENERGY_KIND,
      version,
      row: {
        tenant: this.tenant,
        site,
        window_start: new Date(start).toISOString(),
        window_end: new Date(start + Q).toISOString(),
        energy_mwh: energy,
        readings,
        max_power_w: power,
        meters,
        final_meters: finals,
        restated_meters: restated,
        is_final: finals === meters,
      },
    };
  }

  private meterRow(m: MeterHeld, now: number): LiveRow {
    m.day = localDate(now, m.info.timezone);
    let latest: number | null = null;
    let heard: number | null = null;
    let dayEnergy = 0;
    let dayWindows = 0;
    let dayFinal = true;
    for (const [start, w] of m.windows) {
      if (latest === null || start > latest) latest = start;
      if (w.readings > 0 && (heard === null || start > heard)) heard = start;
      if (w.date === m.day) {
        dayEnergy += w.energyMwh;
        dayWindows++;
        if (!w.isFinal) dayFinal = false;
      }
    }
    const newest = latest === null ? undefined : m.windows.get(latest);
    m.version++;
    return {
      id: `${this.tenant}/${METER_NOW_KIND}/${m.info.meterId}`,
      kind: METER_NOW_KIND,
      version: m.version,
      row: {
        tenant: this.tenant,
        meter_id: m.info.meterId,
        name: m.info.name,
        site: m.info.site,
        timezone: m.info.timezone,
        latest_window_start: latest === null ? null : new Date(latest).toISOString(),
        latest_energy_mwh: newest?.energyMwh ?? null,
        latest_max_power_w: newest?.maxPowerW ?? null,
        // Heard by the end of that window, or now when it is the current one (windows say no more precisely).
        last_heard_at: heard === null ? null : new Date(Math.min(heard + Q, now)).toISOString(),
        day: m.day,
        day_energy_mwh: dayEnergy,
        day_windows: dayWindows,
        day_final: dayFinal && dayWindows > 0,
      },
    };
  }
}

// The energy page's pure logic (no DOM, no socket): sites, top and silent meters and energy alerts from the rows
// of the `energy` and `alerts` channels, a meter's windows for its drill-down, and energy/power formatting. A
// classic script, so the same file runs in the browser (`globalThis.EnergyLogic`) and under Jest (typed by
// energy-logic.d.ts beside it). It loads after wallboard-logic.js, whose alerts feed it shares.
((root, factory) => {
  if (typeof module === 'object' && module.exports) module.exports = factory(require('./wallboard-logic.js'));
  else root.EnergyLogic = factory(root.WallboardLogic);
})(typeof globalThis === 'object' ? globalThis : this, (wallboard) => {
  const QUARTER_MS = 15 * 60_000;
  /** A meter's peak power counts as "now" while its newest window is the current or the previous one. */
  const POWER_NOW_MS = 2 * QUARTER_MS;
  const DEFAULT_SILENT_S = 3600;
  const TOP_METERS = 10;

  const num = (v) => {
    const n = typeof v === 'number' ? v : Number(v);
    return Number.isFinite(n) ? n : 0;
  };

  const formats = new Map();
  /** The local date (YYYY-MM-DD) of an instant in a zone; the gateway computes a meter's day the same way. */
  function localDate(ms, timezone) {
    let f = formats.get(timezone);
    if (!f) {
      f = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
      formats.set(timezone, f);
    }
    return f.format(ms);
  }

  /**
   * The meter's energy of its local day so far: 0 once its day turned and no window of the new one came. `dateIn`:
   * the local date of now in a zone (one per zone and render: 2,000 meters share a few zones).
   */
  function todayMwh(m, dateIn) {
    return m.day === dateIn(m.timezone) ? num(m.day_energy_mwh) : 0;
  }

  /** localDate(nowMs, zone), computed once per zone. */
  function datesAt(nowMs) {
    const dates = new Map();
    return (timezone) => {
      let d = dates.get(timezone);
      if (d === undefined) {
        d = localDate(nowMs, timezone);
        dates.set(timezone, d);
      }
      return d;
    };
  }

  /** The `n` first of `items` in `order`, without sorting them all (n is small: the top meters). */
  function firstN(items, n, order) {
    const top = [];
    for (const item of items) {
      if (top.length === n && order(item, top[n - 1]) >= 0) continue;
      let i = Math.min(top.length, n - 1);
      top[i] = item;
      while (i > 0 && order(top[i], top[i - 1]) < 0) {
        [top[i], top[i - 1]] = [top[i - 1], top[i]];
        i--;
      }
    }
    return top;
  }

  function powerNowW(m, nowMs) {
    const latest = Date.parse(m.latest_window_start);
    return Number.isFinite(latest) && latest >= nowMs - POWER_NOW_MS ? num(m.latest_max_power_w) : 0;
  }

  /** The meter_silent threshold of the tenant (seconds), and whether the rule is on. */
  function silentRule(thresholds) {
    const r = (thresholds ?? []).find((t) => t.rule === 'meter_silent');
    return { seconds: r ? num(r.threshold) : DEFAULT_SILENT_S, enabled: r ? r.enabled !== false : true };
  }

  const byName = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

  /**
   * Everything the overview draws. `energyRows`, `alertRows`: live rows ({id, kind, version, row}); `thresholds`:
   * the tenant's rules (GET /v1/alerts/thresholds), or null before they are known (defaults apply).
   * - sites (by name; meters without a site last): power now, today so far, their 15-minute windows;
   * - topMeters: the highest energy of their local day so far;
   * - silentMeters: not heard for longer than the tenant's meter_silent threshold, or with that alert firing;
   * - alerts: meter alerts, firing first, then the latest change first, with raise and resolve times.
   */
  function energyOverview(energyRows, alertRows, nowMs, thresholds) {
    const meters = [];
    const windowsBySite = new Map();
    for (const r of energyRows) {
      if (!r.row) continue;
      if (r.kind === 'meter_now') meters.push(r.row);
      else if (r.kind === 'site_energy_15m') {
        const key = r.row.site ?? '';
        if (!windowsBySite.has(key)) windowsBySite.set(key, []);
        windowsBySite.get(key).push(r.row);
      }
    }
    const alerts = meterAlerts(alertRows);
    const silentAlerts = new Set(alerts.filter((a) => a.firing && a.rule === 'meter_silent').map((a) => a.entityId));

    const sites = new Map();
    const site = (key) => {
      let s = sites.get(key);
      if (!s) {
        s = { site: key, label: key === '' ? 'No site' : key, meters: 0, powerNowW: 0, todayMwh: 0, windows: [] };
        sites.set(key, s);
      }
      return s;
    };
    const rule = silentRule(thresholds);
    const dateIn = datesAt(nowMs);
    const silentMeters = [];
    const withToday = meters.map((m) => {
      const s = site(m.site ?? '');
      const today = todayMwh(m, dateIn);
      const power = powerNowW(m, nowMs);
      s.meters++;
      s.todayMwh += today;
      s.powerNowW += power;
      const heard = m.last_heard_at ? Date.parse(m.last_heard_at) : null;
      const silentFor = heard === null ? null : Math.max(0, nowMs - heard);
      if (silentAlerts.has(m.meter_id) || (rule.enabled && (heard === null || silentFor > rule.seconds * 1000)))
        silentMeters.push({
          meterId: m.meter_id,
          name: m.name ?? m.meter_id,
          site: m.site,
          lastHeardAt: m.last_heard_at,
        });
      return { meterId: m.meter_id, name: m.name ?? m.meter_id, site: m.site, todayMwh: today, powerNowW: power };
    });
    for (const [key, windows] of windowsBySite) site(key).windows = windows;

    const topMeters = firstN(
      withToday.filter((m) => m.todayMwh > 0),
      TOP_METERS,
      (a, b) => b.todayMwh - a.todayMwh || byName(a.meterId, b.meterId),
    );
    silentMeters.sort((a, b) => byName(a.meterId, b.meterId));
    return {
      sites: [...sites.values()].sort((a, b) => (a.site === '') - (b.site === '') || byName(a.site, b.site)),
      topMeters,
      silentMeters,
      alerts,
      silentAfterS: rule.seconds,
    };
  }

  /** Meter alerts (firing and recently resolved), ordered as the wallboard's feed: firing first, then the latest change. */
  function meterAlerts(alertRows) {
    return wallboard.alertFeed(alertRows).filter((a) => a.entityType === 'meter');
  }

  /** A window's state as the page marks it: restated (a final window rewritten), final, or provisional. */
  function windowState(w) {
    if (num(w.revision) > 0 || num(w.restated_meters) > 0) return 'restated';
    return w.is_final ? 'final' : 'provisional';
  }

  /** A meter channel's windows (rows of `meter:<id>`), newest first, with their state. */
  function meterWindows(rows) {
    return rows
      .filter((r) => r.row && r.kind === 'meter_energy_15m')
      .map((r) => ({ ...r.row, state: windowState(r.row) }))
      .sort((a, b) => Date.parse(b.window_start) - Date.parse(a.window_start));
  }

  /** mWh as Wh below 1 kWh, kWh below 1 MWh, else MWh (two decimals; whole Wh). */
  function formatEnergy(mwh) {
    const v = num(mwh);
    if (v >= 1e9) return `${(v / 1e9).toFixed(2)} MWh`;
    if (v >= 1e6) return `${(v / 1e6).toFixed(2)} kWh`;
    return `${Math.round(v / 1000)} Wh`;
  }

  /** W as W below 1 kW, else kW with one decimal. */
  function formatPower(w) {
    const v = num(w);
    return v >= 1000 ? `${(v / 1000).toFixed(1)} kW` : `${Math.round(v)} W`;
  }

  /** "HH:MM" of an ISO time in the viewer's zone; an em dash for none. */
  function formatClock(iso) {
    const ms = iso == null ? Number.NaN : Date.parse(iso);
    if (!Number.isFinite(ms)) return '—';
    const d = new Date(ms);
    return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  }

  /** The meter of a `#meter=<id>` fragment (the drill-down), or null. */
  function meterFromHash(hash) {
    const id = new URLSearchParams(String(hash || '').replace(/^#/, '')).get('meter');
    return id && /^[A-Za-z0-9._:-]{1,64}$/.test(id) ? id : null;
  }

  return {
    localDate,
    energyOverview,
    meterAlerts,
    windowState,
    meterWindows,
    formatEnergy,
    formatPower,
    formatClock,
    meterFromHash,
  };
});

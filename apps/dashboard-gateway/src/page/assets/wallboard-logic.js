// The wallboard's pure logic (no DOM, no socket): merging rows by version, the 15-minute queue figures derived
// from summed windows, and the wait/percent formatting. A classic script, so the same file runs in the browser
// (as `globalThis.WallboardLogic`, loaded before wallboard.js) and under Jest (`require`, typed by the .d.ts
// beside it), with no build step. The derived metrics come from libs/domain/src/derived-metrics.js, the one
// source of their formulas: the page loads it first (/wallboard/derived-metrics.js), Node requires it.
((root, factory) => {
  if (typeof module === 'object' && module.exports)
    module.exports = factory(require('../../../../../libs/domain/src/derived-metrics.js'));
  else root.WallboardLogic = factory(root.SwitchboardDerivedMetrics);
})(typeof globalThis === 'object' ? globalThis : this, (metrics) => {
  const WINDOW_MINUTES = 15;
  const MINUTE_MS = 60_000;

  /**
   * A channel's new state after a snapshot: the snapshot's rows, except that a row we already hold at a higher
   * version keeps it (a client never shows an older version after a newer one). Rows absent from the snapshot
   * are gone (they aged out or were removed).
   */
  function applySnapshot(prev, rows) {
    const next = new Map();
    for (const r of rows) {
      const held = prev.get(r.id);
      next.set(r.id, held && held.version > r.version ? held : r);
    }
    return next;
  }

  /** Applies a delta's rows in place, keeping the highest version per id; true when anything changed. */
  function applyDelta(state, rows) {
    let changed = false;
    for (const r of rows) {
      const held = state.get(r.id);
      if (held && held.version >= r.version) continue;
      state.set(r.id, r);
      changed = true;
    }
    return changed;
  }

  function num(v) {
    const n = typeof v === 'number' ? v : Number(v);
    return Number.isFinite(n) ? n : 0;
  }

  /**
   * Per queue: the live gauge, and the `queue_stats_1m` windows of the last 15 minutes (the current minute's and
   * the 14 before it) summed column by column, then derived as PRODUCT.md says — never an average of averages.
   * `rows` are live rows ({id, kind, version, row}); tombstones (row null) count as absent. Sorted by queue name.
   */
  function queueSummaries(rows, nowMs) {
    const from = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS - (WINDOW_MINUTES - 1) * MINUTE_MS;
    const queues = new Map();
    const entry = (name) => {
      let q = queues.get(name);
      if (!q) {
        q = {
          queue: name,
          waiting: 0,
          longestWaitingSince: null,
          offered: 0,
          answered: 0,
          abandoned: 0,
          answeredInSla: 0,
          abandonedShort: 0,
          answeredWaitMsSum: 0,
          talkMsSum: 0,
          talkCount: 0,
        };
        queues.set(name, q);
      }
      return q;
    };
    for (const r of rows) {
      if (!r.row) continue;
      if (r.kind === 'queue_gauge') {
        const q = entry(String(r.row.queue));
        q.waiting = num(r.row.waiting);
        q.longestWaitingSince = r.row.longest_waiting_since ?? null;
      } else if (r.kind === 'queue_stats_1m') {
        const start = Date.parse(r.row.window_start);
        const q = entry(String(r.row.queue));
        if (!(start >= from && start <= nowMs)) continue;
        q.offered += num(r.row.offered);
        q.answered += num(r.row.answered);
        q.abandoned += num(r.row.abandoned);
        q.answeredInSla += num(r.row.answered_in_sla);
        q.abandonedShort += num(r.row.abandoned_short);
        q.answeredWaitMsSum += num(r.row.answered_wait_ms_sum);
        q.talkMsSum += num(r.row.talk_ms_sum);
        q.talkCount += num(r.row.talk_count);
      }
    }
    return [...queues.values()]
      .sort((a, b) => (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0))
      .map((q) => ({
        queue: q.queue,
        waiting: q.waiting,
        longestWaitingSince: q.longestWaitingSince,
        offered: q.offered,
        answered: q.answered,
        abandoned: q.abandoned,
        serviceLevel: metrics.serviceLevel(q),
        asaMs: metrics.averageSpeedOfAnswerMs(q),
        abandonRate: metrics.abandonRate(q),
        averageCallDurationMs: metrics.averageCallDurationMs(q),
      }));
  }

  /** A rule's threshold for the tenant (GET /v1/alerts/thresholds), or null when it is off or not known yet. */
  function thresholdOf(thresholds, rule) {
    const t = (thresholds ?? []).find((r) => r.rule === rule);
    return t && t.enabled !== false ? num(t.threshold) : null;
  }

  /**
   * A queue tile's colour by the tenant's own thresholds, as the alert rules judge (libs/domain alerts.ts): amber
   * when the 15-minute service level is below `queue_service_level_low` or the longest wait above
   * `queue_longest_wait_high`, red when twice as bad (below half the level, over twice the wait); else 'ok'. Each
   * reason is named, so the tile can say why.
   */
  function tileLevel(summary, thresholds, nowMs) {
    const reasons = [];
    let level = 'ok';
    const raise = (to, reason) => {
      reasons.push(reason);
      if (to === 'red' || level === 'ok') level = to;
    };
    const sl = thresholdOf(thresholds, 'queue_service_level_low');
    if (sl !== null && summary.serviceLevel != null && summary.serviceLevel < sl)
      raise(summary.serviceLevel < sl / 2 ? 'red' : 'amber', `service level below ${Math.round(sl * 100)} %`);
    const wait = thresholdOf(thresholds, 'queue_longest_wait_high');
    const since = summary.longestWaitingSince == null ? Number.NaN : Date.parse(summary.longestWaitingSince);
    if (wait !== null && summary.waiting > 0 && Number.isFinite(since)) {
      const waitedS = (nowMs - since) / 1000;
      if (waitedS > wait) raise(waitedS > wait * 2 ? 'red' : 'amber', `longest wait over ${Math.round(wait)} s`);
    }
    return { level, reasons };
  }

  /** A queue's `queue_stats_1m` rows (the chart's input). */
  function queueWindows(rows, queue) {
    return rows.filter((r) => r.kind === 'queue_stats_1m' && r.row && String(r.row.queue) === queue).map((r) => r.row);
  }

  /** Every alert of the channel (firing, and resolved within its horizon): firing first, then the latest change. */
  function alertFeed(rows) {
    return rows
      .filter((r) => r.kind === 'alert' && r.row)
      .map((r) => ({
        id: r.id,
        severity: String(r.row.severity),
        rule: String(r.row.rule),
        entity: `${r.row.entity_type} ${r.row.entity_id}`,
        entityType: String(r.row.entity_type),
        entityId: String(r.row.entity_id),
        message: r.row.message == null ? '' : String(r.row.message),
        firing: r.row.state === 'firing',
        firedAt: r.row.fired_at,
        resolvedAt: r.row.resolved_at ?? null,
      }))
      .sort(
        (a, b) =>
          b.firing - a.firing ||
          Date.parse(b.resolvedAt ?? b.firedAt) - Date.parse(a.resolvedAt ?? a.firedAt) ||
          (a.id < b.id ? -1 : 1),
      );
  }

  const AGENT_STATUSES = ['available', 'busy', 'wrap_up', 'break', 'offline'];

  /** The tenant's agents by status (the `agent_counts` row), or null before it is known. */
  function agentCounts(rows) {
    for (const r of rows) {
      if (r.kind === 'agent_counts' && r.row) return AGENT_STATUSES.map((status) => [status, num(r.row[status])]);
    }
    return null;
  }

  const SEVERITY_RANK = { critical: 0, warning: 1 };

  /** Firing alerts, critical first, then the most recently fired first. */
  function firingAlerts(rows) {
    return rows
      .filter((r) => r.kind === 'alert' && r.row && r.row.state === 'firing')
      .map((r) => ({
        id: r.id,
        severity: String(r.row.severity),
        rule: String(r.row.rule),
        entity: `${r.row.entity_type} ${r.row.entity_id}`,
        message: r.row.message == null ? '' : String(r.row.message),
        firedAt: r.row.fired_at,
      }))
      .sort(
        (a, b) =>
          (SEVERITY_RANK[a.severity] ?? 2) - (SEVERITY_RANK[b.severity] ?? 2) ||
          Date.parse(b.firedAt) - Date.parse(a.firedAt),
      );
  }

  /** How long since `sinceIso`, as m:ss or h:mm:ss; an em dash when nobody waits. Never negative. */
  function formatWait(sinceIso, nowMs) {
    if (sinceIso == null) return '—';
    const since = Date.parse(sinceIso);
    if (!Number.isFinite(since)) return '—';
    const total = Math.max(0, Math.floor((nowMs - since) / 1000));
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = String(total % 60).padStart(2, '0');
    return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
  }

  /** 0..1 as a whole percent; an em dash when there is nothing to judge (null). */
  function formatPercent(fraction) {
    return fraction == null ? '—' : `${Math.round(fraction * 100)} %`;
  }

  /** Milliseconds as whole seconds ("12 s"); an em dash for null. */
  function formatSeconds(ms) {
    return ms == null ? '—' : `${Math.round(ms / 1000)} s`;
  }

  /** The token of a `#token=…` fragment, or null. */
  function tokenFromHash(hash) {
    const params = new URLSearchParams(String(hash || '').replace(/^#/, ''));
    const token = params.get('token');
    return token && token.trim() !== '' ? token.trim() : null;
  }

  return {
    WINDOW_MINUTES,
    applySnapshot,
    applyDelta,
    queueSummaries,
    agentCounts,
    firingAlerts,
    alertFeed,
    tileLevel,
    queueWindows,
    formatWait,
    formatPercent,
    formatSeconds,
    tokenFromHash,
  };
});

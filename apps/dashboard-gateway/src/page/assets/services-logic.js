// The services panel's pure logic (no DOM, no socket): the instances table from `service_status` rows and the lag
// table from `consumer_lag` rows, with their formatting. A classic script like wallboard-logic.js, so the same file
// runs in the browser (as `globalThis.ServicesLogic`) and under Jest (`require`, typed by the .d.ts beside it).
// Merging rows by version and reading the token are wallboard-logic.js's (the page loads both).
((root, factory) => {
  const api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.ServicesLogic = api;
})(typeof globalThis === 'object' ? globalThis : this, () => {
  const byText = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

  /**
   * One line per live instance (tombstones left out), by service then instance. `unresponsive` is the gateway's
   * (three missed heartbeats); the heartbeat age is counted here, so it ticks between records.
   */
  function instances(rows, nowMs) {
    const out = [];
    for (const r of rows) {
      if (r.kind !== 'service_status' || r.row === null) continue;
      const row = r.row;
      out.push({
        key: r.id,
        service: String(row.service),
        instance: String(row.instanceId),
        status: String(row.status),
        since: Number(row.since),
        heartbeatAgeMs: Math.max(0, nowMs - Number(row.heartbeatAt)),
        unresponsive: row.unresponsive === true,
        detail: typeof row.detail === 'string' ? row.detail : '',
        host: row.host == null ? '' : `${row.host}:${row.pid}`,
      });
    }
    return out.sort((a, b) => byText(a.service, b.service) || byText(a.instance, b.instance));
  }

  /** One line per (group, topic, partition), in that order; tombstones (a group reset) left out. */
  function lagLines(rows) {
    const out = [];
    for (const r of rows) {
      if (r.kind !== 'consumer_lag' || r.row === null) continue;
      const row = r.row;
      out.push({
        id: r.id,
        group: row.consumer_group,
        topic: row.topic,
        partition: row.partition,
        next: row.next_offset,
        end: row.end_offset,
        lag: row.lag,
        owner: row.owner_id,
        updatedAt: row.updated_at,
      });
    }
    return out.sort(
      (a, b) => byText(a.group, b.group) || byText(a.topic, b.topic) || Number(a.partition) - Number(b.partition),
    );
  }

  /** `none` (caught up), `some` (behind) or `unknown` (the topic's end could not be read). */
  function lagLevel(lag) {
    if (lag == null) return 'unknown';
    return lag > 0 ? 'some' : 'none';
  }

  /** A duration as the two largest units: "4 s", "2 min 5 s", "3 h 7 min", "2 d 1 h". */
  function formatAge(ms) {
    const s = Math.floor(Math.max(0, ms) / 1000);
    if (s < 60) return `${s} s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m} min ${s % 60} s`;
    const h = Math.floor(m / 60);
    if (h < 24) return `${h} h ${m % 60} min`;
    return `${Math.floor(h / 24)} d ${h % 24} h`;
  }

  /** An instant (epoch ms or ISO text) as `YYYY-MM-DD HH:MM:SS UTC`; an em dash for none. */
  function formatInstant(at) {
    if (at == null || at === '') return '—';
    const d = new Date(typeof at === 'number' ? at : String(at));
    return Number.isNaN(d.getTime()) ? '—' : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  }

  /** An offset or a lag with thousands separators; an em dash when unknown. */
  function formatCount(n) {
    return n == null ? '—' : Number(n).toLocaleString('en-US');
  }

  return { instances, lagLines, lagLevel, formatAge, formatInstant, formatCount };
});

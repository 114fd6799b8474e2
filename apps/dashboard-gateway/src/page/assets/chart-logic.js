// The charts' pure logic (no DOM, no uPlot): windows of the live rows turned into the column arrays uPlot draws, one
// slot per window of the span so a missing window is a gap, never a bar moved sideways. A classic script, so the
// same file runs in the browser (`globalThis.ChartLogic`) and under Jest (typed by chart-logic.d.ts).
((root, factory) => {
  if (typeof module === 'object' && module.exports)
    module.exports = factory(require('../../../../../libs/domain/src/derived-metrics.js'));
  else root.ChartLogic = factory(root.SwitchboardDerivedMetrics);
})(typeof globalThis === 'object' ? globalThis : this, (metrics) => {
  const QUARTER_MS = 15 * 60_000;
  const MINUTE_MS = 60_000;

  const num = (v) => {
    const n = typeof v === 'number' ? v : Number(v);
    return Number.isFinite(n) ? n : 0;
  };

  /** Window starts from the slot holding `fromMs` up to the one holding `toMs`, `stepMs` apart (epoch ms). */
  function slots(fromMs, toMs, stepMs) {
    const out = [];
    for (let t = Math.floor(fromMs / stepMs) * stepMs; t <= toMs; t += stepMs) out.push(t);
    return out;
  }

  /**
   * 15-minute energy over `[nowMs − spanMs, nowMs]` in kWh, split by state so the chart shows them apart: `final`
   * (settled), `provisional` (the window may still change), and `restated` (a final window rewritten by late
   * readings: its value again, drawn as a marker). `windows` are rows with window_start, energy_mwh, and either
   * is_final + revision (a meter's window) or is_final + restated_meters (a site's). x is in seconds (uPlot's unit).
   */
  function energySeries(windows, nowMs, spanMs) {
    const starts = slots(nowMs - spanMs + QUARTER_MS, nowMs, QUARTER_MS);
    const byStart = new Map();
    for (const w of windows) byStart.set(Date.parse(w.window_start), w);
    const out = { x: [], final: [], provisional: [], restated: [], power: [] };
    for (const t of starts) {
      const w = byStart.get(t);
      const kwh = w ? num(w.energy_mwh) / 1e6 : null;
      const restated = w ? num(w.revision) > 0 || num(w.restated_meters) > 0 : false;
      out.x.push(t / 1000);
      out.final.push(w?.is_final ? kwh : null);
      out.provisional.push(w && !w.is_final ? kwh : null);
      out.restated.push(restated ? kwh : null);
      out.power.push(w && w.max_power_w != null ? num(w.max_power_w) / 1000 : null);
    }
    return out;
  }

  /**
   * A queue's last hour per minute: offered, answered, abandoned (counts) and the service level of each minute
   * (percent, null when no call was handled), from its `queue_stats_1m` rows. The current minute is the last slot.
   */
  function queueSeries(windows, nowMs, spanMs = 60 * MINUTE_MS) {
    const starts = slots(nowMs - spanMs + MINUTE_MS, nowMs, MINUTE_MS);
    const byStart = new Map();
    for (const w of windows) byStart.set(Date.parse(w.window_start), w);
    const out = { x: [], offered: [], answered: [], abandoned: [], serviceLevel: [] };
    for (const t of starts) {
      const w = byStart.get(t);
      out.x.push(t / 1000);
      out.offered.push(w ? num(w.offered) : 0);
      out.answered.push(w ? num(w.answered) : 0);
      out.abandoned.push(w ? num(w.abandoned) : 0);
      const sl = w
        ? metrics.serviceLevel({
            answeredInSla: num(w.answered_in_sla),
            answered: num(w.answered),
            abandoned: num(w.abandoned),
            abandonedShort: num(w.abandoned_short),
          })
        : null;
      out.serviceLevel.push(sl == null ? null : Math.round(sl * 1000) / 10);
    }
    return out;
  }

  /** How many slots of a series hold a value: what a spec (or a screen reader's summary) counts. */
  function filled(values) {
    return values.reduce((n, v) => (v == null ? n : n + 1), 0);
  }

  /** A series' exact identity (every column, every slot): equal signatures draw the same chart. */
  function seriesSignature(series) {
    let sig = '';
    for (const column of Object.values(series)) sig += `${column.join(',')}|`;
    return sig;
  }

  /**
   * Which of a page's charts to redraw in this render, so that many charts under a fast feed keep frames short: a
   * chart is redrawn when its columns changed since it was drawn (`want` its new signature), at most once every
   * `minIntervalMs`, and at most `perRender` charts a render, those drawn longest ago first. Its figures (the DOM
   * text beside it) are not paced: only the canvas, whose redraw is what costs (uPlot draws every series again).
   * - `drawn(key, signature, nowMs)`: a chart drawn outside the pacer (created with its columns);
   * - `want(key, signature)`: the signature of its columns now;
   * - `take(nowMs)`: `{ keys, more }`, the charts to redraw now (counted as drawn with what they want), and whether
   *   others were due now but left for the next render (the page asks for another frame);
   * - `forget(key)`: a chart removed.
   */
  function chartPacer({ minIntervalMs = 1000, perRender = 8 } = {}) {
    if (!(minIntervalMs >= 0)) throw new RangeError(`chartPacer: minIntervalMs must be ≥ 0, not ${minIntervalMs}`);
    if (!(perRender >= 1)) throw new RangeError(`chartPacer: perRender must be at least 1, not ${perRender}`);
    const charts = new Map();
    return {
      drawn(key, signature, nowMs) {
        charts.set(key, { drawn: signature, drawnAt: nowMs, wanted: signature });
      },
      want(key, signature) {
        const c = charts.get(key);
        if (c) c.wanted = signature;
        else charts.set(key, { drawn: undefined, drawnAt: Number.NEGATIVE_INFINITY, wanted: signature });
      },
      take(nowMs) {
        const due = [];
        for (const [key, c] of charts)
          if (c.wanted !== c.drawn && nowMs - c.drawnAt >= minIntervalMs) due.push([key, c]);
        due.sort((a, b) => a[1].drawnAt - b[1].drawnAt || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
        const now = due.slice(0, perRender);
        for (const [, c] of now) {
          c.drawn = c.wanted;
          c.drawnAt = nowMs;
        }
        return { keys: now.map(([key]) => key), more: due.length > now.length };
      },
      forget(key) {
        charts.delete(key);
      },
    };
  }

  return { QUARTER_MS, energySeries, queueSeries, filled, seriesSignature, chartPacer };
});

// The supervisor's wallboard: the `queues` and `alerts` channels, drawn at most once a frame and once a second (the
// longest waits tick). A tile per queue coloured by the tenant's own thresholds (GET /v1/alerts/thresholds, read
// again every minute), a uPlot chart of its hour, agents by status and the alerts feed. The figures follow every
// render; a chart's canvas is redrawn when its minutes changed, at most once a second and a few charts a frame, and
// only while its tile is on screen (ChartLogic.chartPacer: 50 queues at 2,000 updates/s redrew 500 canvases a second
// and dropped frames).
// Connection, token and row merging are live-page.js's; the pure parts are in wallboard-logic.js and chart-logic.js.
import { queueChart } from '/wallboard/charts.js';
import { $, el, startLivePage } from '/wallboard/live-page.js';

const L = globalThis.WallboardLogic;
const C = globalThis.ChartLogic;

let thresholds = null;
/** queue → { tile, fields, chart, series, windows } — tiles are built once and updated in place (charts keep their canvas). */
const tiles = new Map();
const charts = C.chartPacer({ minIntervalMs: 1000, perRender: 6 });
/** Tiles off screen keep their chart as last drawn until they scroll in (the next render draws it then). */
const onScreen = new IntersectionObserver((entries) => {
  for (const e of entries) {
    const t = tiles.get(e.target.dataset.queue);
    if (t) t.visible = e.isIntersecting;
  }
});
let agentsShown = '';

const FIELDS = [
  ['waiting', 'Waiting'],
  ['longest-wait', 'Longest wait'],
  ['service-level', 'Service level'],
  ['asa', 'ASA'],
  ['offered', 'Offered'],
  ['answered', 'Answered'],
  ['abandoned', 'Abandoned'],
  ['average-call-duration', 'Avg call'],
  ['abandon-rate', 'Abandon rate'],
];

function tileOf(queue, series) {
  let t = tiles.get(queue);
  if (t) return t;
  const tile = el('article', undefined, { class: 'tile', 'data-queue': queue, 'data-level': 'ok' });
  const head = el('h3', queue);
  const why = el('p', '', { class: 'why', 'data-field': 'why' });
  const dl = el('dl');
  const fields = new Map();
  for (const [name, label] of FIELDS) {
    const div = el('div', undefined, { class: `figure ${name}` });
    const dd = el('dd', '—', { 'data-field': name });
    div.append(el('dt', label), dd);
    dl.append(div);
    fields.set(name, dd);
  }
  const box = el('div', undefined, { class: 'chart', 'data-chart': `queue:${queue}` });
  tile.append(head, why, dl, box);
  // Tiles in queue order: insert before the first tile whose name sorts after this one.
  const after = [...$('tiles').children].find((n) => n.dataset.queue > queue) ?? null;
  $('tiles').insertBefore(tile, after);
  t = { tile, fields, why, box, chart: queueChart(box, series), series, windows: 0, visible: true };
  tiles.set(queue, t);
  onScreen.observe(tile);
  return t;
}

/** What a test (or a curious supervisor's inspector) reads off a drawn chart: its minutes, and those with a window. */
function markChart(t) {
  t.box.dataset.minutes = String(t.series.x.length);
  t.box.dataset.windows = String(t.windows);
}

function render(rowsByChannel, now) {
  const rows = [...rowsByChannel.values()].flatMap((rows) => [...rows.values()]);

  const queues = L.queueSummaries(rows, now);
  for (const q of queues) {
    const windows = L.queueWindows(rows, q.queue);
    const series = C.queueSeries(windows, now);
    const fresh = !tiles.has(q.queue);
    const t = tileOf(q.queue, series);
    t.series = series;
    t.windows = windows.filter((w) => Date.parse(w.window_start) / 1000 >= series.x[0]).length;
    if (fresh) {
      charts.drawn(q.queue, C.seriesSignature(series), now);
      markChart(t);
    } else if (t.visible) charts.want(q.queue, C.seriesSignature(series));
    const set = (name, text) => {
      const dd = t.fields.get(name);
      if (dd.textContent !== text) dd.textContent = text;
    };
    set('waiting', String(q.waiting));
    set('longest-wait', q.waiting > 0 ? L.formatWait(q.longestWaitingSince, now) : '—');
    set('service-level', L.formatPercent(q.serviceLevel));
    set('asa', L.formatSeconds(q.asaMs));
    set('offered', String(q.offered));
    set('answered', String(q.answered));
    set('abandoned', String(q.abandoned));
    set('average-call-duration', L.formatSeconds(q.averageCallDurationMs));
    set('abandon-rate', L.formatPercent(q.abandonRate));
    const level = L.tileLevel(q, thresholds, now);
    if (t.tile.dataset.level !== level.level) t.tile.dataset.level = level.level;
    if (t.why.textContent !== level.reasons.join(' · ')) t.why.textContent = level.reasons.join(' · ');
  }
  const live = new Set(queues.map((q) => q.queue));
  for (const [queue, t] of tiles) {
    if (live.has(queue)) continue;
    onScreen.unobserve(t.tile);
    t.tile.remove();
    tiles.delete(queue);
    charts.forget(queue);
  }
  const redraw = charts.take(now);
  for (const queue of redraw.keys) {
    const t = tiles.get(queue);
    t.chart.update(t.series);
    markChart(t);
  }
  $('no-queues').hidden = queues.length > 0;

  const agents = L.agentCounts(rows);
  const agentsKey = JSON.stringify(agents);
  if (agentsKey !== agentsShown) {
    agentsShown = agentsKey;
    $('agent-rows').replaceChildren(
      ...(agents ?? []).map(([status, count]) => {
        const tr = el('tr', undefined, { 'data-status': status });
        tr.append(el('th', status.replace('_', ' '), { scope: 'row' }), el('td', String(count)));
        return tr;
      }),
    );
  }
  $('no-agents').hidden = agents !== null;

  // Alerts: update the list in place (by id), so the aria-live region announces only what changed.
  const alerts = L.alertFeed(rows);
  const list = $('alerts');
  const keep = new Set(alerts.map((a) => a.id));
  for (const li of [...list.children]) if (!keep.has(li.dataset.id)) li.remove();
  alerts.forEach((a, i) => {
    let li = [...list.children].find((n) => n.dataset.id === a.id);
    const text = `${a.rule.replaceAll('_', ' ')} — ${a.entity}${a.message ? `: ${a.message}` : ''}`;
    const when = a.firing
      ? `raised ${clock(a.firedAt)}`
      : `raised ${clock(a.firedAt)}, resolved ${clock(a.resolvedAt)}`;
    const state = a.firing ? 'firing' : 'resolved';
    if (!li || li.dataset.severity !== a.severity || li.dataset.text !== text || li.dataset.state !== state) {
      const fresh = el('li', undefined, {
        'data-id': a.id,
        'data-severity': a.severity,
        'data-text': text,
        'data-state': state,
      });
      fresh.append(
        el('span', a.firing ? a.severity : 'resolved', { class: 'severity' }),
        el('span', text),
        el('time', when, { datetime: a.resolvedAt ?? a.firedAt }),
      );
      if (li) li.replaceWith(fresh);
      li = fresh;
    }
    if (list.children[i] !== li) list.insertBefore(li, list.children[i] ?? null);
  });
  $('no-alerts').hidden = alerts.length > 0;
  // Charts due now but left for the next frame: ask for one.
  return redraw.more;
}

function clock(iso) {
  const d = new Date(iso);
  return Number.isFinite(d.getTime()) ? d.toTimeString().slice(0, 5) : '—';
}

const live = startLivePage({
  channels: ['queues', 'alerts'],
  render,
  token: 'dashboard',
  linkHint: 'Ask for a dashboard link (it opens this page with a token): ',
  howTo: 'bin/switchboard tokens create --tenant T',
  forbidden: (e) => `This token may not read ${e.channel ?? 'this channel'}: use a supervisor or analyst token.`,
});

if (live) {
  // The tenant's thresholds colour the tiles; until they arrive (or when the token may not read them) the tiles stay
  // uncoloured rather than guessing from defaults.
  live.pollThresholds((rules) => {
    thresholds = rules;
  });
}

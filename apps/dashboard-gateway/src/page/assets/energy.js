// The energy page: the `energy` channel (per site 15-minute windows and a row per meter, folded by the gateway) and
// `alerts`, drawn at most once a frame and once a second, the sites' canvases when their windows changed and at most
// once a second (ChartLogic.chartPacer); a meter's drill-down (`#meter=<id>`) adds its `meter:<id>` channel (24 h of
// windows) and its data-quality events (REST). Connection, token and row merging are live-page.js's; the pure parts
// are in energy-logic.js and chart-logic.js, the charts uPlot's (charts.js).
import { energyChart } from '/wallboard/charts.js';
import { $, el, startLivePage } from '/wallboard/live-page.js';

const E = globalThis.EnergyLogic;
const C = globalThis.ChartLogic;
const DAY_MS = 24 * 3600_000;

let thresholds = null;
let meter = null;
let quality = { meterId: null, events: [] };
/** site → { card, fields, chart, box, series } — built once, updated in place. */
const cards = new Map();
/** The sites' canvases: redrawn when their windows changed, at most once a second (their figures every render). */
const charts = C.chartPacer({ minIntervalMs: 1000, perRender: 4 });
let meterChart = null;

function markChart(box, s) {
  box.dataset.final = String(C.filled(s.final));
  box.dataset.provisional = String(C.filled(s.provisional));
  box.dataset.restated = String(C.filled(s.restated));
  let kwh = 0;
  for (let i = 0; i < s.x.length; i++) kwh += s.final[i] ?? s.provisional[i] ?? 0;
  box.dataset.kwh = kwh.toFixed(3);
}

function figure(label, field) {
  const span = el('span', undefined, { class: 'figure' });
  const value = el('span', '—', { class: 'value', 'data-field': field });
  span.append(value, el('span', label, { class: 'label' }));
  return [span, value];
}

function cardOf(site, label, series) {
  let c = cards.get(site.site);
  if (c) return c;
  const card = el('article', undefined, { class: 'site', 'data-site': site.site });
  const figures = el('p', undefined, { class: 'figures' });
  const [power, powerValue] = figure('power now', 'power-now');
  const [today, todayValue] = figure('today so far', 'today');
  const [count, countValue] = figure('meters', 'meters');
  figures.append(power, today, count);
  const box = el('div', undefined, { class: 'chart', 'data-chart': `site:${site.site}` });
  card.append(el('h3', label), figures, box);
  const after = [...$('sites').children].find((n) => (n.dataset.site || '\uffff') > (site.site || '\uffff')) ?? null;
  $('sites').insertBefore(card, after);
  c = { card, powerValue, todayValue, countValue, box, chart: energyChart(box, series), series };
  cards.set(site.site, c);
  markChart(box, series);
  return c;
}

const setText = (node, text) => {
  if (node.textContent !== text) node.textContent = text;
};

function renderOverview(energyRows, alertRows, now) {
  const o = E.energyOverview(energyRows, alertRows, now, thresholds);
  for (const site of o.sites) {
    const series = C.energySeries(site.windows, now, DAY_MS);
    const fresh = !cards.has(site.site);
    const c = cardOf(site, site.label, series);
    c.series = series;
    if (fresh) charts.drawn(site.site, C.seriesSignature(series), now);
    else charts.want(site.site, C.seriesSignature(series));
    setText(c.powerValue, E.formatPower(site.powerNowW));
    setText(c.todayValue, E.formatEnergy(site.todayMwh));
    if (!c.todayValue.nextSibling?.classList?.contains('incomplete'))
      c.todayValue.after(el('span', 'incomplete', { class: 'incomplete', title: 'the day is not over' }));
    setText(c.countValue, String(site.meters));
  }
  const redraw = charts.take(now);
  for (const key of redraw.keys) {
    const c = cards.get(key);
    c.chart.update(c.series);
    markChart(c.box, c.series);
  }
  $('no-sites').hidden = o.sites.length > 0;

  $('top-rows').replaceChildren(
    ...o.topMeters.map((m) => {
      const tr = el('tr', undefined, { 'data-meter': m.meterId, tabindex: '0' });
      tr.append(
        el('td', m.name, { 'data-field': 'name' }),
        el('td', m.site ?? '—', { 'data-field': 'site' }),
        el('td', E.formatEnergy(m.todayMwh), { 'data-field': 'today' }),
        el('td', E.formatPower(m.powerNowW), { 'data-field': 'power-now' }),
      );
      return tr;
    }),
  );

  $('silent').replaceChildren(
    ...o.silentMeters.map((m) =>
      el('li', `${m.name}${m.site ? ` (${m.site})` : ''} — last heard ${E.formatClock(m.lastHeardAt)}`, {
        'data-meter': m.meterId,
      }),
    ),
  );
  $('no-silent').hidden = o.silentMeters.length > 0;
  $('no-silent').textContent = `Every meter reported within ${Math.round(o.silentAfterS / 60)} min.`;

  $('alerts').replaceChildren(
    ...o.alerts.map((a) => {
      const li = el('li', undefined, {
        'data-id': a.id,
        'data-severity': a.severity,
        'data-state': a.firing ? 'firing' : 'resolved',
      });
      const when = a.firing
        ? `raised ${E.formatClock(a.firedAt)}`
        : `raised ${E.formatClock(a.firedAt)}, resolved ${E.formatClock(a.resolvedAt)}`;
      li.append(
        el('span', a.firing ? a.severity : 'resolved', { class: 'severity' }),
        el('span', `${a.rule.replaceAll('_', ' ')} — meter ${a.entityId}${a.message ? `: ${a.message}` : ''}`),
        el('time', when, { datetime: a.resolvedAt ?? a.firedAt }),
      );
      return li;
    }),
  );
  $('no-alerts').hidden = o.alerts.length > 0;
  return redraw.more;
}

function renderMeter(meterRows, energyRows, now) {
  const info = energyRows.find((r) => r.kind === 'meter_now' && r.row?.meter_id === meter)?.row;
  setText($('meter-heading'), `${info?.name ?? meter}${info?.site ? ` — ${info.site}` : ''}`);
  const windows = E.meterWindows(meterRows);
  const series = C.energySeries(windows, now, DAY_MS);
  if (!meterChart) meterChart = energyChart($('meter-chart'), series, { height: 240, power: true });
  else meterChart.update(series);
  markChart($('meter-chart'), series);
  const resets = windows.reduce((n, w) => n + Number(w.resets ?? 0), 0);
  const readings = windows.reduce((n, w) => n + Number(w.readings ?? 0), 0);
  $('meter-figures').replaceChildren(
    ...[
      [
        E.formatEnergy(info && info.day === E.localDate(now, info.timezone) ? info.day_energy_mwh : 0),
        'today so far',
        'today',
      ],
      [String(readings), 'readings (24 h)', 'readings'],
      [String(resets), 'register resets (24 h)', 'resets'],
      [info?.timezone ?? '—', 'time zone', 'timezone'],
    ].map(([value, label, field]) => {
      const span = el('span', undefined, { class: 'figure' });
      span.append(el('span', value, { class: 'value', 'data-field': field }), el('span', label, { class: 'label' }));
      return span;
    }),
  );
  $('window-rows').replaceChildren(
    ...windows.map((w) => {
      const tr = el('tr', undefined, { 'data-window': w.window_start, 'data-state': w.state });
      tr.append(
        el('td', E.formatClock(w.window_start)),
        el('td', E.formatEnergy(w.energy_mwh), { 'data-field': 'energy' }),
        el('td', w.max_power_w == null ? '—' : E.formatPower(w.max_power_w)),
        el('td', String(w.readings)),
        el('td', String(w.resets)),
        el('td', w.state === 'restated' ? `restated ×${w.revision}` : w.state, { 'data-field': 'state' }),
      );
      return tr;
    }),
  );
  const events = quality.meterId === meter ? quality.events : [];
  $('quality').replaceChildren(
    ...events.map((q) =>
      el(
        'li',
        `${E.formatClock(q.recordedAt)} ${q.kind.replaceAll('_', ' ')}${q.detail?.reason ? `: ${q.detail.reason}` : ''}`,
        {
          'data-kind': q.kind,
        },
      ),
    ),
  );
  $('no-quality').hidden = events.length > 0;
}

function render(rowsByChannel, now) {
  const rows = (name) => [...(rowsByChannel.get(name)?.values() ?? [])];
  const energyRows = rows('energy');
  $('meter').hidden = meter === null;
  $('overview').hidden = meter !== null;
  if (meter === null) return renderOverview(energyRows, rows('alerts'), now);
  renderMeter(rows(`meter:${meter}`), energyRows, now);
  return false;
}

const live = startLivePage({
  channels: ['energy', 'alerts'],
  render,
  token: 'dashboard',
  linkHint: 'Ask for a dashboard link and open it with /energy in place of / (it carries a token): ',
  howTo: 'bin/switchboard tokens create --tenant T --role analyst',
  forbidden: (e) =>
    `This token may not read ${e.channel ?? 'this channel'}: energy data is for the analyst role (npm start prints an analyst link for /energy).`,
});

function selectMeter() {
  const next = E.meterFromHash(location.hash);
  if (next === meter) return;
  if (meter !== null) live.unsubscribe(`meter:${meter}`);
  meter = next;
  meterChart = null;
  $('meter-chart').replaceChildren();
  if (meter === null) return;
  live.subscribe(`meter:${meter}`);
  const now = Date.now();
  const id = meter;
  live.getJson(`/v1/meters/${encodeURIComponent(id)}/data-quality?from=${now - DAY_MS}&to=${now + 60_000}`).then(
    (body) => {
      quality = { meterId: id, events: body.events };
    },
    () => {
      quality = { meterId: id, events: [] };
    },
  );
}

if (live) {
  $('top-rows').addEventListener('click', (e) => {
    const tr = e.target.closest('tr[data-meter]');
    if (tr) location.hash = `meter=${tr.dataset.meter}`;
  });
  $('top-rows').addEventListener('keydown', (e) => {
    const tr = e.target.closest('tr[data-meter]');
    if (tr && e.key === 'Enter') location.hash = `meter=${tr.dataset.meter}`;
  });
  $('meter-back').addEventListener('click', (e) => {
    e.preventDefault();
    history.pushState(null, '', location.pathname);
    selectMeter();
  });
  window.addEventListener('hashchange', selectMeter);
  selectMeter();
  live.pollThresholds((rules) => {
    thresholds = rules;
  });
}

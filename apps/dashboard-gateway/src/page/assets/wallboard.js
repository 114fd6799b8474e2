// The supervisor's wallboard: the `queues` and `alerts` channels, drawn once a second (the longest waits tick).
// Connection, token and row merging are live-page.js's; the pure parts (15-minute sums, formatting) are in
// wallboard-logic.js.
import { $, el, startLivePage } from '/wallboard/live-page.js';

const L = globalThis.WallboardLogic;

function render(rowsByChannel, now) {
  const rows = [...rowsByChannel.values()].flatMap((rows) => [...rows.values()]);

  const queues = L.queueSummaries(rows, now);
  $('queue-rows').replaceChildren(
    ...queues.map((q) => {
      const tr = el('tr', undefined, { 'data-queue': q.queue });
      tr.append(el('th', q.queue, { scope: 'row' }));
      const waiting = el('td', String(q.waiting), { 'data-field': 'waiting' });
      if (q.waiting > 0) waiting.className = 'waiting-some';
      tr.append(
        waiting,
        el('td', q.waiting > 0 ? L.formatWait(q.longestWaitingSince, now) : '—', { 'data-field': 'longest-wait' }),
        el('td', String(q.offered), { 'data-field': 'offered' }),
        el('td', String(q.answered), { 'data-field': 'answered' }),
        el('td', String(q.abandoned), { 'data-field': 'abandoned' }),
        el('td', L.formatPercent(q.serviceLevel), { 'data-field': 'service-level' }),
        el('td', L.formatSeconds(q.asaMs), { 'data-field': 'asa' }),
        el('td', L.formatPercent(q.abandonRate), { 'data-field': 'abandon-rate' }),
      );
      return tr;
    }),
  );
  $('no-queues').hidden = queues.length > 0;

  const agents = L.agentCounts(rows);
  $('agent-rows').replaceChildren(
    ...(agents ?? []).map(([status, count]) => {
      const tr = el('tr', undefined, { 'data-status': status });
      tr.append(el('th', status.replace('_', ' '), { scope: 'row' }), el('td', String(count)));
      return tr;
    }),
  );
  $('no-agents').hidden = agents !== null;

  // Alerts: update the list in place (by id), so the aria-live region announces only what changed.
  const alerts = L.firingAlerts(rows);
  const list = $('alerts');
  const keep = new Set(alerts.map((a) => a.id));
  for (const li of [...list.children]) if (!keep.has(li.dataset.id)) li.remove();
  alerts.forEach((a, i) => {
    let li = [...list.children].find((n) => n.dataset.id === a.id);
    const text = `${a.rule.replaceAll('_', ' ')} — ${a.entity}${a.message ? `: ${a.message}` : ''}`;
    if (!li || li.dataset.severity !== a.severity || li.dataset.text !== text) {
      const fresh = el('li', undefined, { 'data-id': a.id, 'data-severity': a.severity, 'data-text': text });
      fresh.append(el('span', a.severity, { class: 'severity' }), el('span', text));
      if (li) li.replaceWith(fresh);
      li = fresh;
    }
    if (list.children[i] !== li) list.insertBefore(li, list.children[i] ?? null);
  });
  $('no-alerts').hidden = alerts.length > 0;
}

startLivePage({
  channels: ['queues', 'alerts'],
  render,
  token: 'dashboard',
  linkHint: 'Ask for a dashboard link (it opens this page with a token): ',
  howTo: 'bin/switchboard tokens create --tenant T',
  forbidden: (e) => `This token may not read ${e.channel ?? 'this channel'}: use a supervisor token.`,
});

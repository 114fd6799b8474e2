// The supervisor's wallboard: reads the token from the URL fragment (then keeps it in sessionStorage and takes it
// out of the address bar), subscribes to the `queues` and `alerts` channels of the gateway's socket.io API,
// acknowledges every frame, resumes with {epoch, seq} per channel after a reconnect and renders once a second.
// The pure parts (merge by version, 15-minute sums, formatting) are in wallboard-logic.js.
import { io } from '/wallboard/socket.io.esm.min.js';

const L = globalThis.WallboardLogic;
const STORAGE_KEY = 'switchboard.dashboardToken';
const CHANNELS = ['queues', 'alerts'];
const HOW_TO = 'bin/switchboard tokens create --tenant T';

const $ = (id) => document.getElementById(id);

function takeToken() {
  const fromHash = L.tokenFromHash(location.hash);
  if (fromHash) {
    sessionStorage.setItem(STORAGE_KEY, fromHash);
    // Out of the address bar, history, bookmarks and screenshots.
    history.replaceState(null, '', location.pathname + location.search);
    return fromHash;
  }
  return sessionStorage.getItem(STORAGE_KEY);
}

function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function showMessage(lead, detail) {
  const box = $('message');
  box.replaceChildren(el('p', lead));
  if (detail) {
    const p = el('p', 'Ask for a dashboard link (it opens this page with a token): ');
    p.append(el('code', HOW_TO));
    box.append(p);
  }
  box.hidden = false;
  $('live').hidden = true;
}

function setConnection(state, text) {
  const c = $('connection');
  c.dataset.state = state;
  c.textContent = text;
}

/** Per channel: rows by id (highest version kept) and the cursor to resume from. */
const channels = new Map(CHANNELS.map((name) => [name, { rows: new Map(), epoch: null, seq: null }]));

function allRows() {
  return CHANNELS.flatMap((name) => [...channels.get(name).rows.values()]);
}

function render() {
  const now = Date.now();
  const rows = allRows();

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

let renderQueued = false;
function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

function start(token) {
  $('live').hidden = false;
  render();
  setInterval(render, 1000); // the longest waits tick every second

  const socket = io(location.origin, { path: '/socket.io', auth: { token }, transports: ['websocket'] });

  socket.on('connect', () => {
    setConnection('connected', 'Connected');
    for (const name of CHANNELS) {
      const ch = channels.get(name);
      const message = { channel: name };
      if (ch.epoch !== null && ch.seq !== null) message.resume = { epoch: ch.epoch, seq: ch.seq };
      socket.emit('subscribe', message);
    }
  });

  socket.on('snapshot', (frame, ack) => {
    const ch = channels.get(frame.channel);
    if (ch) {
      ch.rows = L.applySnapshot(ch.rows, frame.rows);
      ch.epoch = frame.epoch;
      ch.seq = frame.seq;
      scheduleRender();
    }
    ack();
  });

  socket.on('delta', (frame, ack) => {
    const ch = channels.get(frame.channel);
    if (ch) {
      L.applyDelta(ch.rows, frame.rows);
      ch.epoch = frame.epoch;
      ch.seq = frame.seq;
      scheduleRender();
    }
    ack();
  });

  socket.on('error', (e) => {
    if (e?.code === 'token_expired') {
      sessionStorage.removeItem(STORAGE_KEY);
      showMessage('Your dashboard token has expired.', true);
    } else if (e?.code === 'forbidden') {
      showMessage(`This token may not read ${e.channel ?? 'this channel'}: use a supervisor token.`, true);
    }
  });

  socket.on('disconnect', (reason) => {
    if (reason === 'io client disconnect') return;
    setConnection('reconnecting', 'Reconnecting…');
  });

  socket.on('connect_error', (e) => {
    const code = e?.data?.error;
    if (code === 'malformed' || code === 'bad_signature' || code === 'expired') {
      // The server refused the token itself: retrying cannot help.
      sessionStorage.removeItem(STORAGE_KEY);
      socket.disconnect();
      setConnection('failed', 'Not connected');
      showMessage(
        code === 'expired'
          ? 'Your dashboard token has expired.'
          : 'This dashboard token is not valid (it may belong to another installation or have been mistyped).',
        true,
      );
    } else {
      setConnection('reconnecting', 'Reconnecting…');
    }
  });
}

const token = takeToken();
if (token) start(token);
else {
  setConnection('failed', 'Not connected');
  showMessage('No dashboard token: this page needs a link with a token.', true);
}

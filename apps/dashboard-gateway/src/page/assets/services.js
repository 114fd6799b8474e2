// The operator's services panel: the same token handling as the wallboard (URL fragment → sessionStorage of this
// tab, out of the address bar), subscribes to the operator-only `services` and `lag` channels, acknowledges every
// frame, keeps the highest version per row (wallboard-logic.js) and resumes with {epoch, seq} per channel after a
// reconnect; renders once a second so heartbeat ages tick. Display logic is in services-logic.js.
import { io } from '/wallboard/socket.io.esm.min.js';

const W = globalThis.WallboardLogic;
const S = globalThis.ServicesLogic;
// The wallboard's key: one tab keeps one token across both pages.
const STORAGE_KEY = 'switchboard.dashboardToken';
const CHANNELS = ['services', 'lag'];
const HOW_TO = 'bin/switchboard tokens create --tenant T --role operator';

const $ = (id) => document.getElementById(id);

function takeToken() {
  const fromHash = W.tokenFromHash(location.hash);
  if (fromHash) {
    sessionStorage.setItem(STORAGE_KEY, fromHash);
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

function showMessage(lead, howTo) {
  const box = $('message');
  box.replaceChildren(el('p', lead));
  if (howTo) {
    const p = el('p', 'Ask for an operator link and open it with /services in place of / : ');
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

function render() {
  const now = Date.now();
  const instances = S.instances(channels.get('services').rows.values(), now);
  $('instance-rows').replaceChildren(
    ...instances.map((i) => {
      const tr = el('tr', undefined, { 'data-key': i.key, 'data-unresponsive': String(i.unresponsive) });
      const status = el('td', i.status, { 'data-field': 'status', 'data-status': i.status });
      if (i.detail) status.title = i.detail;
      if (i.unresponsive) status.append(el('span', 'unresponsive', { class: 'unresponsive-tag' }));
      tr.append(
        el('th', i.service, { scope: 'row', 'data-field': 'service' }),
        el('td', i.instance, { 'data-field': 'instance' }),
        status,
        el('td', S.formatInstant(i.since), { 'data-field': 'since' }),
        el('td', `${S.formatAge(i.heartbeatAgeMs)} ago`, { 'data-field': 'heartbeat' }),
        el('td', i.host, { 'data-field': 'host' }),
      );
      return tr;
    }),
  );
  $('no-instances').hidden = instances.length > 0;

  const lag = S.lagLines(channels.get('lag').rows.values());
  $('lag-rows').replaceChildren(
    ...lag.map((l) => {
      const tr = el('tr', undefined, { 'data-id': l.id });
      tr.append(
        el('th', l.group, { scope: 'row', 'data-field': 'group' }),
        el('td', l.topic, { 'data-field': 'topic' }),
        el('td', String(l.partition), { 'data-field': 'partition' }),
        el('td', S.formatCount(l.next), { 'data-field': 'next' }),
        el('td', S.formatCount(l.end), { 'data-field': 'end' }),
        el('td', S.formatCount(l.lag), { 'data-field': 'lag', 'data-level': S.lagLevel(l.lag) }),
        el('td', l.owner ?? '—', { 'data-field': 'owner' }),
        el('td', S.formatInstant(l.ownerSince), { 'data-field': 'owner-since' }),
      );
      return tr;
    }),
  );
  $('no-lag').hidden = lag.length > 0;
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
  setInterval(render, 1000); // heartbeat ages tick every second

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
      ch.rows = W.applySnapshot(ch.rows, frame.rows);
      ch.epoch = frame.epoch;
      ch.seq = frame.seq;
      scheduleRender();
    }
    ack();
  });

  socket.on('delta', (frame, ack) => {
    const ch = channels.get(frame.channel);
    if (ch) {
      W.applyDelta(ch.rows, frame.rows);
      ch.epoch = frame.epoch;
      ch.seq = frame.seq;
      scheduleRender();
    }
    ack();
  });

  socket.on('error', (e) => {
    if (e?.code === 'token_expired') {
      sessionStorage.removeItem(STORAGE_KEY);
      showMessage('Your operator token has expired.', true);
    } else if (e?.code === 'forbidden') {
      socket.disconnect();
      setConnection('failed', 'Not connected');
      showMessage(`This token may not read the services panel: ${e.message}.`, true);
    } else if (e?.code === 'unavailable' && e.channel === 'lag') {
      $('no-lag').textContent = 'This gateway does not compute consumer lag.';
    }
  });

  socket.on('disconnect', (reason) => {
    if (reason === 'io client disconnect') return;
    setConnection('reconnecting', 'Reconnecting…');
  });

  socket.on('connect_error', (e) => {
    const code = e?.data?.error;
    if (code === 'malformed' || code === 'bad_signature' || code === 'expired') {
      sessionStorage.removeItem(STORAGE_KEY);
      socket.disconnect();
      setConnection('failed', 'Not connected');
      showMessage(
        code === 'expired'
          ? 'Your operator token has expired.'
          : 'This token is not valid (it may belong to another installation or have been mistyped).',
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
  showMessage('No operator token: this page needs a link with a token.', true);
}

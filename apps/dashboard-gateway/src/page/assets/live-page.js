// What every live page of the gateway does the same way (the wallboard, the services panel): takes its token from
// the URL fragment (then keeps it in this tab's sessionStorage and takes it out of the address bar), subscribes to
// its channels over socket.io, acknowledges every frame (the server's flow control), keeps the highest version per
// row (wallboard-logic.js), resumes with {epoch, seq} per channel after a reconnect, renders at most once a frame
// and once a second (ages and waits tick), and says in words what to do when the token cannot be used.
import { io } from '/wallboard/socket.io.esm.min.js';

const L = globalThis.WallboardLogic;
// One key for every page: one tab keeps one token across them.
const STORAGE_KEY = 'switchboard.dashboardToken';

export const $ = (id) => document.getElementById(id);

export function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

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

function setConnection(state, text) {
  const c = $('connection');
  c.dataset.state = state;
  c.textContent = text;
  // Stale data stays on screen, dimmed, so a wall screen never passes old figures off as live.
  document.body.dataset.stale = String(state !== 'connected');
}

const clock = (ms) => new Date(ms).toTimeString().slice(0, 8);

/**
 * Starts a page. `page`:
 * - `channels`: the channel names to subscribe to;
 * - `render(rowsByChannel, now)`: draws the page from the rows (a Map of channel → Map of id → row); returns true
 *   when it left work for the next frame (it is called again then);
 * - `token`: how the page names its token ('dashboard', 'operator'); `linkHint`: the sentence before `howTo`, the
 *   command that makes a link;
 * - `forbidden(error)`: the sentence for a token the server refuses a channel to;
 * - `onError(error)` (optional): the page's own handling of other channel errors.
 *
 * Returns `{ token, subscribe(name), unsubscribe(name), getJson(path), pollThresholds(onRules) }` (null without a token): channels the page
 * adds or drops later (a drill-down), and its REST reads with the same token.
 */
export function startLivePage(page) {
  const channels = new Map(page.channels.map((name) => [name, { rows: new Map(), epoch: null, seq: null }]));

  const showMessage = (lead, howTo) => {
    const box = $('message');
    box.replaceChildren(el('p', lead));
    if (howTo) {
      const p = el('p', page.linkHint);
      p.append(el('code', page.howTo));
      box.append(p);
    }
    box.hidden = false;
    $('live').hidden = true;
  };
  const expired = `Your ${page.token} token has expired.`;
  // A page's render returns true when it left work for the next frame (charts it paces): it gets another one.
  const render = () => {
    if (page.render(new Map([...channels].map(([name, ch]) => [name, ch.rows])), Date.now()) === true) scheduleRender();
  };

  let renderQueued = false;
  const scheduleRender = () => {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      render();
    });
  };

  const token = takeToken();
  if (!token) {
    setConnection('failed', 'Not connected');
    showMessage(`No ${page.token} token: this page needs a link with a token.`, true);
    return null;
  }
  let lastFrameAt = null;
  const stale = () =>
    setConnection(
      'reconnecting',
      lastFrameAt === null ? 'Reconnecting…' : `Reconnecting… data as of ${clock(lastFrameAt)}`,
    );

  $('live').hidden = false;
  render();
  setInterval(render, 1000);

  const socket = io(location.origin, { path: '/socket.io', auth: { token }, transports: ['websocket'] });
  const refuse = (message) => {
    socket.disconnect();
    setConnection('failed', 'Not connected');
    showMessage(message, true);
  };

  socket.on('connect', () => {
    setConnection('connected', 'Connected');
    for (const [name, ch] of channels) {
      const message = { channel: name };
      if (ch.epoch !== null && ch.seq !== null) message.resume = { epoch: ch.epoch, seq: ch.seq };
      socket.emit('subscribe', message);
    }
  });

  socket.on('snapshot', (frame, ack) => {
    lastFrameAt = Date.now();
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
    lastFrameAt = Date.now();
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
      refuse(expired);
    } else if (e?.code === 'forbidden') {
      // Retrying cannot make the token's role or tenant another.
      refuse(page.forbidden(e));
    } else page.onError?.(e);
  });

  socket.on('disconnect', (reason) => {
    if (reason === 'io client disconnect') return;
    stale();
  });

  socket.on('connect_error', (e) => {
    const code = e?.data?.error;
    if (code === 'malformed' || code === 'bad_signature' || code === 'expired') {
      // The server refused the token itself: retrying cannot help.
      sessionStorage.removeItem(STORAGE_KEY);
      refuse(
        code === 'expired'
          ? expired
          : `This ${page.token} token is not valid (it may belong to another installation or have been mistyped).`,
      );
    } else {
      stale();
    }
  });

  return {
    token,
    subscribe(name) {
      if (channels.has(name)) return;
      channels.set(name, { rows: new Map(), epoch: null, seq: null });
      if (socket.connected) socket.emit('subscribe', { channel: name });
    },
    unsubscribe(name) {
      if (!channels.delete(name)) return;
      if (socket.connected) socket.emit('unsubscribe', { channel: name });
      scheduleRender();
    },
    /**
     * The tenant's alert thresholds (GET /v1/alerts/thresholds) to `onRules`, now and every minute; a failed read
     * keeps the last ones (a page colours nothing rather than guessing from defaults).
     */
    pollThresholds(onRules) {
      const load = () =>
        this.getJson('/v1/alerts/thresholds').then(
          (body) => onRules(body.rules),
          () => undefined,
        );
      load();
      setInterval(load, 60_000);
    },
    /** GET a same-origin read with the token; the parsed JSON, or an Error with the server's `{error, message}`. */
    async getJson(path) {
      const res = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) throw Object.assign(new Error(body.message ?? `HTTP ${res.status}`), { code: body.error });
      return body;
    },
  };
}

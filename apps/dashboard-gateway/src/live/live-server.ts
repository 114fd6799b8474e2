import type { Server as HttpServer } from 'node:http';
import { type DashboardClaims, DashboardTokenError, dashboardTokenId, verifyDashboardToken } from '@switchboard/domain';
import { Server, type Socket } from 'socket.io';
import type { ChannelDelta } from './channel-log';
import { KeyCounts } from './key-counts';
import type { LiveLimits } from './live-options';
import type { LiveChannel, LiveState } from './live-state';
import {
  type DeltaFrame,
  isLiveError,
  type LiveError,
  MAX_CLIENT_MESSAGE_BYTES,
  type OperationalAccess,
  parseChannel,
  parseClientMessage,
  type SnapshotFrame,
  type SubscribeMessage,
} from './protocol';

/** Bytes of one socket.io message the engine accepts at all; above it the connection is closed. */
const MAX_ENGINE_MESSAGE_BYTES = 4 * MAX_CLIENT_MESSAGE_BYTES;
/** setTimeout's ceiling. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** One client's cursor in one channel: the seq its last frame brought it to, and frames not yet acknowledged. */
interface Subscription {
  readonly name: string;
  readonly channel: LiveChannel;
  ready: boolean;
  needSnapshot: boolean;
  /** Send a delta even when nothing changed (confirms a resume). */
  forceDelta: boolean;
  seq: number;
  inFlight: number;
}

interface LiveClient {
  readonly socket: Socket;
  readonly claims: DashboardClaims;
  readonly subs: Map<string, Subscription>;
  tokens: number;
  refilledAt: number;
  expiry: NodeJS.Timeout | undefined;
}

/** What a test or /metrics can see of one client: the server-side buffer is at most this. */
export interface ClientBuffer {
  inFlightFrames: number;
  engineWriteBuffer: number;
}

/**
 * The socket.io edge: handshake auth (the dashboard token), the subscribe / unsubscribe protocol, and one batched
 * frame per subscription per tick. Flow control: a subscription has at most `maxInFlightFrames` frames sent and
 * not acknowledged; while it is at the bound nothing more is queued for it — its cursor stays, and the next frame
 * carries every row changed since, latest version per row (conflated), or a snapshot once the ring has moved past
 * the cursor. So a client's server-side buffer is bounded by subscriptions × in-flight frames, whatever its speed.
 */
export class LiveSocketServer {
  private io: Server | undefined;
  private readonly clients = new Map<string, LiveClient>();
  private readonly connections: SocketCounts;
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;
  /** Frames sent, by type (for tests and metrics). */
  readonly sent = { snapshot: 0, delta: 0 };

  constructor(
    private readonly state: LiveState,
    private readonly limits: LiveLimits,
    private readonly tokenSecret: string,
    private readonly access: OperationalAccess,
    private readonly now: () => number = Date.now,
  ) {
    this.connections = new SocketCounts(limits);
  }

  attach(httpServer: HttpServer, path: string): void {
    const io = new Server(httpServer, { path, serveClient: false, maxHttpBufferSize: MAX_ENGINE_MESSAGE_BYTES });
    io.use((socket, next) => {
      try {
        socket.data.claims = verifyDashboardToken(this.tokenSecret, socket.handshake.auth?.token, this.now());
        socket.data.tokenId = dashboardTokenId(socket.handshake.auth.token as string);
        const full = this.connections.refusal(socket.data.claims as DashboardClaims, socket.data.tokenId as string);
        if (full) {
          next(Object.assign(new Error(full), { data: { error: 'too_many_connections', message: full } }));
          return;
        }
        next();
      } catch (err) {
        const code = err instanceof DashboardTokenError ? err.code : 'malformed';
        const refusal = new Error(err instanceof Error ? err.message : 'refused') as Error & { data: unknown };
        refusal.data = { error: code, message: refusal.message };
        next(refusal);
      }
    });
    io.on('connection', (socket) => this.onConnection(socket));
    this.io = io;
    this.timer = setInterval(() => this.tick(), this.limits.tickMs);
    this.timer.unref();
  }

  /** Disconnects every client and stops the engine; the HTTP server itself belongs to Nest. */
  close(): void {
    clearInterval(this.timer);
    this.io?.disconnectSockets(true);
    this.io?.engine.close();
    this.io = undefined;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** The frames and engine packets the server holds for one client (socket id). */
  bufferOf(socketId: string): ClientBuffer | undefined {
    const c = this.clients.get(socketId);
    if (!c) return undefined;
    let inFlightFrames = 0;
    for (const s of c.subs.values()) inFlightFrames += s.inFlight;
    const conn = c.socket.conn as unknown as { writeBuffer?: unknown[] };
    return { inFlightFrames, engineWriteBuffer: conn.writeBuffer?.length ?? 0 };
  }

  private onConnection(socket: Socket): void {
    const claims = socket.data.claims as DashboardClaims;
    const client: LiveClient = {
      socket,
      claims,
      subs: new Map(),
      tokens: this.limits.messagesPerSecond,
      refilledAt: this.now(),
      expiry: undefined,
    };
    this.clients.set(socket.id, client);
    const release = this.connections.open(claims.tenant, socket.data.tokenId as string);
    client.expiry = setTimeout(
      () => {
        this.sendError(client, { code: 'token_expired', message: 'the token has expired; reconnect with a new one' });
        socket.disconnect(true);
      },
      Math.min(MAX_TIMER_MS, Math.max(0, claims.exp * 1000 - this.now())),
    );
    socket.onAny((event: string, ...args: unknown[]) => this.onMessage(client, event, args));
    socket.on('disconnect', () => {
      release();
      clearTimeout(client.expiry);
      for (const sub of client.subs.values()) this.state.release(sub.channel);
      client.subs.clear();
      this.clients.delete(socket.id);
    });
  }

  private onMessage(client: LiveClient, event: string, args: unknown[]): void {
    if (!this.takeToken(client)) {
      this.sendError(client, { code: 'rate_limited', message: `at most ${this.limits.messagesPerSecond} messages/s` });
      return;
    }
    const parsed = parseClientMessage(String(event), args);
    if (isLiveError(parsed)) {
      this.sendError(client, parsed);
      return;
    }
    if (parsed.type === 'subscribe') {
      this.subscribe(client, parsed.message);
      return;
    }
    const sub = client.subs.get(parsed.message.channel);
    if (sub) this.drop(client, sub);
  }

  private subscribe(client: LiveClient, message: SubscribeMessage): void {
    const name = message.channel;
    const parsed = parseChannel(name, client.claims, this.access);
    if (isLiveError(parsed)) {
      this.sendError(client, parsed);
      return;
    }
    const existing = client.subs.get(name);
    if (existing) this.drop(client, existing);
    if (client.subs.size >= this.limits.maxSubscriptions) {
      this.sendError(client, {
        code: 'too_many_subscriptions',
        message: `at most ${this.limits.maxSubscriptions} subscriptions per connection`,
        channel: name,
      });
      return;
    }
    const channel = this.state.acquire(client.claims.tenant, parsed);
    if (!channel) {
      this.sendError(client, {
        code: 'too_many_channels',
        message: this.state.meterChannelRefusal(client.claims.tenant),
        channel: name,
      });
      return;
    }
    const sub: Subscription = {
      name,
      channel,
      ready: channel.loaded,
      needSnapshot: true,
      forceDelta: false,
      seq: 0,
      inFlight: 0,
    };
    const resume = message.resume;
    if (resume && resume.epoch === channel.log.epoch && channel.log.canResumeFrom(resume.seq)) {
      sub.needSnapshot = false;
      sub.forceDelta = true;
      sub.seq = resume.seq;
    }
    client.subs.set(name, sub);
    if (!sub.ready) {
      channel.ready.then(
        () => {
          sub.ready = true;
        },
        () => {
          if (client.subs.get(name) !== sub) return;
          this.drop(client, sub);
          this.sendError(client, {
            code: 'unavailable',
            message: 'the channel could not be loaded; retry',
            channel: name,
          });
        },
      );
    }
  }

  private drop(client: LiveClient, sub: Subscription): void {
    client.subs.delete(sub.name);
    this.state.release(sub.channel);
  }

  /** One frame per subscription that has news and room in flight; frames shared by clients at the same cursor. */
  private tick(): void {
    if (++this.ticks % Math.max(1, Math.round(1000 / this.limits.tickMs)) === 0) this.state.tick();
    const deltas = new Map<string, ChannelDelta | null>();
    const snapshots = new Map<string, SnapshotFrame>();
    for (const client of this.clients.values()) {
      for (const sub of client.subs.values()) {
        if (!sub.ready || sub.inFlight >= this.limits.maxInFlightFrames) continue;
        const log = sub.channel.log;
        if (!sub.needSnapshot && !sub.forceDelta && log.seq === sub.seq) continue;
        let delta: ChannelDelta | null = null;
        if (!sub.needSnapshot) {
          const key = `${sub.channel.key}:${sub.seq}`;
          delta = deltas.get(key) ?? null;
          if (!deltas.has(key)) {
            delta = log.frameSince(sub.seq);
            deltas.set(key, delta);
          }
        }
        if (delta) {
          const frame: DeltaFrame = { channel: sub.name, epoch: log.epoch, ...delta };
          this.send(client, sub, 'delta', frame);
        } else {
          let frame = snapshots.get(sub.channel.key);
          if (!frame) {
            frame = { channel: sub.name, epoch: log.epoch, ...log.snapshot() };
            snapshots.set(sub.channel.key, frame);
          }
          this.send(client, sub, 'snapshot', frame);
        }
      }
    }
  }

  private send(client: LiveClient, sub: Subscription, event: 'snapshot' | 'delta', frame: SnapshotFrame | DeltaFrame) {
    sub.needSnapshot = false;
    sub.forceDelta = false;
    sub.seq = frame.seq;
    sub.inFlight++;
    this.sent[event]++;
    client.socket.timeout(this.limits.ackTimeoutMs).emit(event, frame, (err: Error | null) => {
      if (err) {
        client.socket.disconnect(true); // no acknowledgement: a dead or stuck client; it may reconnect and resume
        return;
      }
      sub.inFlight--;
    });
  }

  /** Tells every subscriber of one channel (by key) that it met its bound: an `error` event, the connection stays. */
  notifySubscribers(channelKey: string, error: Omit<LiveError, 'channel'>): void {
    for (const client of this.clients.values())
      for (const sub of client.subs.values())
        if (sub.channel.key === channelKey) this.sendError(client, { ...error, channel: sub.name });
  }

  private sendError(client: LiveClient, error: LiveError): void {
    client.socket.emit('error', error);
  }

  private takeToken(client: LiveClient): boolean {
    const now = this.now();
    const rate = this.limits.messagesPerSecond;
    client.tokens = Math.min(rate, client.tokens + ((now - client.refilledAt) / 1000) * rate);
    client.refilledAt = now;
    if (client.tokens < 1) return false;
    client.tokens -= 1;
    return true;
  }
}

/**
 * Open sockets per token and per tenant on this gateway. Without a bound, one tenant (or one leaked link opened in a
 * loop) could hold every connection the gateway can serve and lock the other tenants out.
 */
class SocketCounts {
  private readonly byToken: KeyCounts;
  private readonly byTenant: KeyCounts;

  constructor(limits: Pick<LiveLimits, 'maxSocketsPerToken' | 'maxSocketsPerTenant'>) {
    this.byToken = new KeyCounts(limits.maxSocketsPerToken);
    this.byTenant = new KeyCounts(limits.maxSocketsPerTenant);
  }

  /** Why one more socket of this token is refused, or undefined when it may connect. */
  refusal(claims: DashboardClaims, token: string): string | undefined {
    if (this.byToken.full(token))
      return `this token has ${this.byToken.limit} connections open already; close one (another tab or screen) and reconnect`;
    if (this.byTenant.full(claims.tenant))
      return `tenant ${claims.tenant} has ${this.byTenant.limit} connections open on this gateway already; close some and reconnect`;
    return undefined;
  }

  /** Counts a socket; the function returned uncounts it (once). */
  open(tenant: string, token: string): () => void {
    this.byToken.add(token);
    this.byTenant.add(tenant);
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      this.byToken.add(token, -1);
      this.byTenant.add(tenant, -1);
    };
  }
}

import { io, type Socket } from 'socket.io-client';
import type { DeltaFrame, LiveError, SnapshotFrame } from '../apps/dashboard-gateway/src/live/protocol';
import { epochMs } from './epoch-clock';
import { LatencyHistogram } from './latency-histogram';
import type { UpdateFeed } from './update-feed';

const CONNECT_BATCH = 100;
const CONNECT_TIMEOUT_MS = 30_000;

/** What the clients saw while measuring; a latency sample per (update, subscribed client). */
export interface DeliveryStats {
  deltaFrames: number;
  snapshotFrames: number;
  /** Row versions received (each row of each frame that is newer than what the client held). */
  rowsDelivered: number;
  /** (update, client) pairs whose version never arrived because a newer one came instead. */
  conflated: number;
  /** From the produce ack to the client holding that version or a newer one (ms). */
  latency: LatencyHistogram;
  /** Samples whose delivery the bench process handled before the produce ack (counted as 0 ms). */
  beforeAck: number;
  errors: LiveError[];
}

/**
 * N dashboard clients (socket.io-client, websocket transport) in this process, as the Live API README has them:
 * subscribe, apply each snapshot or delta, acknowledge it. Each keeps the version it holds of every row of the
 * feed, so a received row version v after u accounts for the updates u+1…v: v arrived, the ones between were
 * conflated, and all of them are now visible — their latency is from their produce ack to this receipt, on the
 * machine's clock (epoch-clock.ts) the feed's worker stamps its acks with.
 */
export class DashboardClientFleet {
  private readonly sockets: Socket[] = [];
  private readonly held: Int32Array[] = [];
  private readonly channelsOf: string[][] = [];
  private readonly snapshotsOf: number[] = [];
  private readonly rowsOfChannel = new Map<string, number[]>();
  private readonly early: number[] = [];
  private measuring = false;
  private stats = emptyStats();

  constructor(
    private readonly feed: UpdateFeed,
    private readonly clock: () => number = epochMs,
  ) {
    feed.rows.forEach((r, i) => {
      const list = this.rowsOfChannel.get(r.channel) ?? [];
      list.push(i);
      this.rowsOfChannel.set(r.channel, list);
    });
  }

  get size(): number {
    return this.sockets.length;
  }

  /**
   * Connects `n` clients, each with its token (`tokenFor`: the gateway bounds the sockets of one token), subscribes
   * each to its channels, resolves once every one has its snapshots.
   */
  async connect(
    url: string,
    tokenFor: (client: number) => string,
    n: number,
    channelsFor: (client: number) => string[],
  ): Promise<void> {
    for (let first = 0; first < n; first += CONNECT_BATCH) {
      const batch: Promise<void>[] = [];
      for (let i = first; i < Math.min(n, first + CONNECT_BATCH); i++)
        batch.push(this.open(url, tokenFor(i), channelsFor(i)));
      await Promise.all(batch);
    }
    const deadline = Date.now() + CONNECT_TIMEOUT_MS;
    while (this.snapshotsOf.some((got, i) => got < this.channelsOf[i].length)) {
      if (Date.now() > deadline) {
        const missing = this.snapshotsOf.filter((got, i) => got < this.channelsOf[i].length).length;
        throw new Error(`${missing} of ${n} clients got no snapshot within ${CONNECT_TIMEOUT_MS} ms`);
      }
      await sleep(20);
    }
  }

  /** Whether every client holds the newest produced version of every row of its channels. */
  caughtUp(): boolean {
    for (let c = 0; c < this.sockets.length; c++) {
      const held = this.held[c];
      for (const channel of this.channelsOf[c])
        for (const i of this.rowsOfChannel.get(channel) ?? []) if (held[i] < this.feed.version(i)) return false;
    }
    return true;
  }

  /** Resolves with the clock's time once caught up, or undefined after `timeoutMs`. */
  async waitCaughtUp(timeoutMs: number): Promise<number | undefined> {
    const deadline = this.clock() + timeoutMs;
    while (!this.caughtUp()) {
      if (this.clock() > deadline) return undefined;
      await sleep(10);
    }
    return this.clock();
  }

  startMeasuring(): void {
    this.stats = emptyStats();
    this.early.length = 0;
    this.measuring = true;
  }

  /** Stops counting and settles the samples that arrived before their ack was known. */
  stopMeasuring(): DeliveryStats {
    this.measuring = false;
    for (let k = 0; k < this.early.length; k += 3) {
      const ack = this.feed.ackedAt(this.early[k + 1], this.early[k + 2]);
      if (ack !== undefined) this.stats.latency.add(this.early[k] - ack);
    }
    this.stats.beforeAck = this.early.length / 3;
    return this.stats;
  }

  /** How many rows (of all clients' channels) each client lags behind the feed: for a log line when not caught up. */
  lagging(): number {
    let behind = 0;
    for (let c = 0; c < this.sockets.length; c++)
      for (const channel of this.channelsOf[c])
        for (const i of this.rowsOfChannel.get(channel) ?? []) if (this.held[c][i] < this.feed.version(i)) behind++;
    return behind;
  }

  close(): void {
    for (const s of this.sockets) s.disconnect();
  }

  private open(url: string, token: string, channels: string[]): Promise<void> {
    const c = this.sockets.length;
    const socket = dashboardSocket(url, token);
    this.sockets.push(socket);
    this.held.push(new Int32Array(this.feed.rows.length));
    this.channelsOf.push(channels);
    this.snapshotsOf.push(0);
    socket.on('snapshot', (frame: SnapshotFrame, ack: () => void) => {
      this.snapshotsOf[c]++;
      if (this.measuring) this.stats.snapshotFrames++;
      this.apply(c, frame.rows);
      ack();
    });
    socket.on('delta', (frame: DeltaFrame, ack: () => void) => {
      if (this.measuring) this.stats.deltaFrames++;
      this.apply(c, frame.rows);
      ack();
    });
    socket.on('error', (e: LiveError) => this.stats.errors.push(e));
    return new Promise((resolve, reject) => {
      socket.once('connect', () => {
        for (const channel of channels) socket.emit('subscribe', { channel });
        resolve();
      });
      socket.once('connect_error', (e: Error & { data?: unknown }) =>
        reject(new Error(`client ${c} could not connect: ${e.message} ${JSON.stringify(e.data ?? '')}`)),
      );
    });
  }

  private apply(c: number, rows: SnapshotFrame['rows']): void {
    const at = this.clock();
    const held = this.held[c];
    for (const r of rows) {
      const i = this.feed.indexOf(r.id);
      if (i === undefined) continue;
      const before = held[i];
      if (r.version <= before) continue;
      held[i] = r.version;
      if (!this.measuring) continue;
      this.stats.rowsDelivered++;
      this.stats.conflated += r.version - before - 1;
      for (let v = before + 1; v <= r.version; v++) {
        const ack = this.feed.ackedAt(i, v);
        if (ack === undefined) this.early.push(at, i, v);
        else this.stats.latency.add(at - ack);
      }
    }
  }
}

/** A dashboard client's connection as the Live API README has it: websocket transport, the token in `auth`. */
export function dashboardSocket(url: string, token: string): Socket {
  return io(url, {
    path: '/socket.io',
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
}

function emptyStats(): DeliveryStats {
  return {
    deltaFrames: 0,
    snapshotFrames: 0,
    rowsDelivered: 0,
    conflated: 0,
    latency: new LatencyHistogram(),
    beforeAck: 0,
    errors: [],
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

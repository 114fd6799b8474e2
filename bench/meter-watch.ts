import type { Socket } from 'socket.io-client';
import type { DeltaFrame, LiveError, SnapshotFrame } from '../apps/dashboard-gateway/src/live/protocol';
import { dashboardSocket } from './dashboard-clients';
import { epochMs } from './epoch-clock';
import { LatencyHistogram } from './latency-histogram';
import type { LoadAck } from './open-loop-load';

/** The gateway's limit of subscriptions per connection (live-options.ts, maxSubscriptions). */
const CHANNELS_PER_SOCKET = 16;
const CONNECT_TIMEOUT_MS = 30_000;

/**
 * Dashboard clients (socket.io-client, websocket transport) subscribed to `meter:<id>` of the watched meters, as the
 * energy page is: each snapshot or delta is applied and acknowledged. A reading is visible once its window's row
 * (`meter_energy_15m`, id `<tenant>/meter_energy_15m/<meter>/<window start ms>`) arrives with `readings` at least
 * the count the load had sent for that window with it; its latency runs from its request's 202 (the ingest ack) to
 * that receipt, on the machine's clock (epoch-clock.ts). A row seen before its ack is known counts as 0 ms.
 */
export class MeterWatch {
  /** Ingest ack → visible, of the readings sent before `watchFreshness`'s moment (all, without it) and after. */
  latency = new LatencyHistogram();
  latencyAfter = new LatencyHistogram();
  /** Every measured sample as [ackAt, latency ms], to see whether latency grew through a run. */
  private timeline: Array<[ackAt: number, ms: number]> = [];
  readonly errors: LiveError[] = [];
  /** Per `m<i>@<window>`: the receipts so far (readings, at), readings ascending. */
  private readonly seen = new Map<string, Array<[readings: number, at: number]>>();
  /** Per key: acknowledged readings not yet seen, [need, ackAt, sentAt], need ascending. */
  private readonly pending = new Map<string, Array<[need: number, ackAt: number, sentAt: number]>>();
  private readonly sockets: Socket[] = [];
  private measuring = false;
  private freshSince: number | undefined;
  /** Per meter: when the first reading acknowledged after `freshSince` was seen. */
  readonly freshAt = new Map<string, number>();
  settled = 0;

  constructor(private readonly meters: string[]) {}

  /** Connects and subscribes; resolves once every channel has its snapshot. */
  async connect(url: string, token: string): Promise<void> {
    const snapshots = new Set<string>();
    for (let i = 0; i < this.meters.length; i += CHANNELS_PER_SOCKET) {
      const channels = this.meters.slice(i, i + CHANNELS_PER_SOCKET).map((m) => `meter:${m}`);
      const socket = dashboardSocket(url, token);
      this.sockets.push(socket);
      socket.on('snapshot', (frame: SnapshotFrame, ack: () => void) => {
        snapshots.add(frame.channel);
        this.apply(frame.rows);
        ack();
      });
      socket.on('delta', (frame: DeltaFrame, ack: () => void) => {
        this.apply(frame.rows);
        ack();
      });
      socket.on('error', (e: LiveError) => this.errors.push(e));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => {
          for (const channel of channels) socket.emit('subscribe', { channel });
          resolve();
        });
        socket.once('connect_error', (e: Error) => reject(new Error(`a meter client could not connect: ${e.message}`)));
      });
    }
    const deadline = Date.now() + CONNECT_TIMEOUT_MS;
    while (snapshots.size < this.meters.length) {
      if (Date.now() > deadline)
        throw new Error(
          `${this.meters.length - snapshots.size} meter channels got no snapshot in ${CONNECT_TIMEOUT_MS} ms`,
        );
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Latencies count from now on, into fresh histograms (readings acknowledged before are only tracked). */
  startMeasuring(): void {
    this.measuring = true;
    this.latency = new LatencyHistogram();
    this.latencyAfter = new LatencyHistogram();
    this.timeline = [];
  }

  /** The median latency (ms) of the measured readings acknowledged in [from, to), epoch ms; NaN without any. */
  medianBetween(from: number, to: number): number {
    const ms = this.timeline
      .filter(([at]) => at >= from && at < to)
      .map(([, l]) => l)
      .sort((a, b) => a - b);
    return ms.length === 0 ? Number.NaN : ms[Math.floor((ms.length - 1) / 2)];
  }

  /**
   * Note for each meter when a reading sent after `since` (epoch ms) is first seen; their latencies go to
   * `latencyAfter`.
   */
  watchFreshness(since: number): void {
    this.freshSince = since;
    this.freshAt.clear();
  }

  /** An accepted request's watched readings: settled at once if already seen, else pending. */
  onAck(ack: LoadAck): void {
    for (const [key, need] of ack.samples) {
      const receipts = this.seen.get(key);
      const hit = receipts?.find(([readings]) => readings >= need);
      if (hit) this.settle(key, ack.ackAt, ack.sentAt, hit[1]);
      else {
        // Answers of concurrent requests can come in any order: keep the list by need.
        const list = this.pending.get(key) ?? [];
        let i = list.length;
        while (i > 0 && list[i - 1][0] > need) i--;
        list.splice(i, 0, [need, ack.ackAt, ack.sentAt]);
        this.pending.set(key, list);
      }
    }
  }

  /** Acknowledged readings not seen yet. */
  get unseen(): number {
    let n = 0;
    for (const list of this.pending.values()) n += list.length;
    return n;
  }

  /** Resolves once nothing acknowledged is unseen (true), or after `timeoutMs` (false). */
  async waitSeen(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.unseen > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return this.unseen === 0;
  }

  close(): void {
    for (const s of this.sockets) s.disconnect();
  }

  private apply(rows: SnapshotFrame['rows']): void {
    const at = epochMs();
    for (const r of rows) {
      const parts = r.id.split('/');
      if (parts[1] !== 'meter_energy_15m' || !r.row) continue;
      const key = `${parts[2]}@${parts[3]}`;
      const readings = Number(r.row.readings);
      const receipts = this.seen.get(key) ?? [];
      if (receipts.length > 0 && (receipts.at(-1) as [number, number])[0] >= readings) continue;
      receipts.push([readings, at]);
      this.seen.set(key, receipts);
      const list = this.pending.get(key);
      if (!list) continue;
      while (list.length > 0 && list[0][0] <= readings) {
        const [, ackAt, sentAt] = list.shift() as [number, number, number];
        this.settle(key, ackAt, sentAt, at);
      }
      if (list.length === 0) this.pending.delete(key);
    }
  }

  private settle(key: string, ackAt: number, sentAt: number, seenAt: number): void {
    this.settled++;
    const after = this.freshSince !== undefined && sentAt > this.freshSince;
    if (this.measuring) {
      (after ? this.latencyAfter : this.latency).add(seenAt - ackAt);
      this.timeline.push([ackAt, Math.max(0, seenAt - ackAt)]);
    }
    if (after) {
      const meter = key.slice(0, key.indexOf('@'));
      if (!this.freshAt.has(meter)) this.freshAt.set(meter, seenAt);
    }
  }
}

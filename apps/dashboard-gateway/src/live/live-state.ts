import { type MetricUpdate, parseUpdateRow, type TypedMetricUpdate } from '@switchboard/domain';
import { isUnresponsive, type ServiceStatusRecord } from '@switchboard/streams';
import { ChannelLog, type LiveRow } from './channel-log';
import { CONSUMER_LAG_KIND, type ConsumerLagFigures, consumerLagId, sameFigures } from './consumer-lag';
import { EnergyFeed, type EnergyLoader } from './energy-channel';
import type { LiveLimits } from './live-options';
import type { ParsedChannel } from './protocol';

/** One channel of one tenant (or an operational, tenant-less one: `services`, `lag`), with who reads it. */
export interface LiveChannel {
  /** `<tenant>|<name>`, or `services` / `lag`. */
  readonly key: string;
  readonly name: string;
  readonly log: ChannelLog;
  subscribers: number;
  /** Epoch ms the last subscriber left (meter channels are dropped after a while without one). */
  idleSince: number;
  /** Resolves once the channel holds its rows from Postgres (meter channels load on first subscribe). */
  ready: Promise<void>;
  loaded: boolean;
}

/** Postgres reads the state needs on demand (the start-up fill goes through `applyUpdate`). */
export type MeterLoader = (tenant: string, meterId: string, sinceMs: number) => Promise<MetricUpdate[]>;

export const SERVICE_STATUS_KIND = 'service_status';
/** The `energy` channel keeps windows this long: a local day is at most 25 h (a daylight-saving day). */
export const ENERGY_HORIZON_MS = 26 * 3600_000;
const ENERGY = 'energy';
const SERVICES = 'services';
const LAG = 'lag';

/**
 * Every channel of this gateway instance and how updates reach them. Pure of sockets and Kafka: the feed calls
 * `applyUpdate` / `applyServiceStatus`, the socket layer calls `acquire` / `release` and reads the logs; `tick`
 * ages rows out of their horizons, derives `unresponsive`, and drops idle meter channels.
 *
 * Routing (tenant from the update, checked against its id and its row's contract: a row never lands in another
 * tenant's channel, and a row that breaks its kind's schema is refused):
 * queue_stats_1m, queue_gauge, agent_status, agent_counts → `queues`; meter_energy_15m → `meter:<meter_id>` (only
 * while that channel exists: it loads the last 24 h from Postgres when first subscribed); alert → `alerts`.
 */
export class LiveState {
  private readonly channels = new Map<string, LiveChannel>();
  private meterChannels = 0;
  /** The feeds of the tenants' `energy` channels, by channel key. */
  private readonly energyFeeds = new Map<string, EnergyFeed>();
  private incarnation = 0;
  /** Updates dropped as malformed or cross-tenant. */
  rejected = 0;

  constructor(
    readonly epoch: string,
    private readonly limits: LiveLimits,
    private readonly loadMeter: MeterLoader,
    private readonly now: () => number = Date.now,
    /** The `energy` channels' reads; without it such a channel stays empty. */
    private readonly loadEnergy?: EnergyLoader,
  ) {}

  /** The channel if it exists (tests and the socket layer read it). */
  channel(tenant: string | null, name: string): LiveChannel | undefined {
    return this.channels.get(channelKey(tenant, name));
  }

  get channelCount(): number {
    return this.channels.size;
  }

  /** One update (its row checked against its kind's contract, libs/domain update-rows); false when refused or old. */
  applyUpdate(update: MetricUpdate): boolean {
    if (!update.id.startsWith(`${update.tenant}/${update.kind}/`) && update.id !== `${update.tenant}/${update.kind}`)
      return this.reject();
    let u: TypedMetricUpdate;
    try {
      u = parseUpdateRow(update);
    } catch {
      return this.reject();
    }
    const row: LiveRow = { id: u.id, kind: u.kind, version: u.version, row: u.row };
    const now = this.now();
    switch (u.kind) {
      case 'queue_stats_1m':
        if (this.expired(row, now)) return false;
        return this.ensure(u.tenant, 'queues').log.apply(row);
      case 'queue_gauge':
      case 'agent_status':
      case 'agent_counts':
        return this.ensure(u.tenant, 'queues').log.apply(row);
      case 'alert':
        if (this.expired(row, now)) return false;
        return this.ensure(u.tenant, 'alerts').log.apply(row);
      case 'meter_energy_15m': {
        this.energyFeeds.get(channelKey(u.tenant, ENERGY))?.apply(u.row);
        const channel = this.channels.get(channelKey(u.tenant, `meter:${u.row.meter_id}`));
        if (!channel || this.expired(row, now)) return false;
        return channel.log.apply(row);
      }
      default:
        return this.reject();
    }
  }

  /**
   * One `service.status` record (null: the tombstone of a removed instance) at its partition offset. The row's
   * version is 2 × (offset + 1), + 1 once the instance turned unresponsive: it grows with every record and once
   * more when the heartbeat stops, and the same on every gateway instance.
   */
  applyServiceStatus(key: string, record: ServiceStatusRecord | null, offset: number): boolean {
    const version = 2 * (offset + 1);
    const log = this.ensure(null, SERVICES).log;
    if (record === null) return log.apply({ id: key, kind: SERVICE_STATUS_KIND, version, row: null });
    const unresponsive = isUnresponsive(record, this.now(), this.limits.heartbeatMs);
    return log.apply({
      id: key,
      kind: SERVICE_STATUS_KIND,
      version: version + (unresponsive ? 1 : 0),
      row: { key, ...record, unresponsive },
    });
  }

  /**
   * One round of consumer lag figures (LagPoller). A row's version grows by one whenever any of its figures changed,
   * so clients never go back; a row absent from a complete round (its group's checkpoints were deleted, e.g. by a
   * replay) becomes a tombstone. Versions count per gateway instance, whose epoch is its own.
   */
  applyConsumerLag(rows: readonly ConsumerLagFigures[], complete: boolean): number {
    const log = this.ensure(null, LAG).log;
    let changed = 0;
    const seen = new Set<string>();
    for (const figures of rows) {
      const id = consumerLagId(figures.consumer_group, figures.topic, figures.partition);
      seen.add(id);
      const held = log.row(id);
      if (held && sameFigures(figures, held)) continue;
      if (log.apply({ id, kind: CONSUMER_LAG_KIND, version: log.versionOf(id) + 1, row: { ...figures } })) changed++;
    }
    if (complete) {
      for (const r of log.snapshot().rows) {
        if (!seen.has(r.id) && log.apply({ ...r, version: r.version + 1, row: null })) changed++;
      }
    }
    return changed;
  }

  /** A subscriber takes the channel (created, and for a meter loaded, on first use); null when at the meter cap. */
  acquire(tenant: string, parsed: ParsedChannel): LiveChannel | null {
    const name = parsed.kind === 'meter' ? `meter:${parsed.meterId}` : parsed.kind;
    const owner = parsed.kind === 'services' || parsed.kind === 'lag' ? null : tenant;
    let channel = this.channels.get(channelKey(owner, name));
    if (!channel && (parsed.kind === 'meter' || parsed.kind === 'energy')) {
      if (this.meterChannels >= this.limits.maxMeterChannels && !this.evictIdleMeter()) return null;
      channel = this.ensure(tenant, name);
      this.meterChannels++;
      channel.loaded = false;
      const meterChannel = channel;
      channel.ready = this.loadOnDemand(tenant, parsed, channel).then(
        () => {
          meterChannel.loaded = true;
        },
        (err) => {
          this.drop(meterChannel);
          throw err;
        },
      );
    }
    channel ??= this.ensure(owner, name);
    channel.subscribers++;
    return channel;
  }

  /** A meter channel's 24 h, or an energy channel's meters and windows, from Postgres. */
  private async loadOnDemand(tenant: string, parsed: ParsedChannel, channel: LiveChannel): Promise<void> {
    if (parsed.kind === 'meter') {
      for (const u of await this.loadMeter(tenant, parsed.meterId, this.now() - this.limits.meterHorizonMs))
        this.applyUpdate(u);
      return;
    }
    if (!this.loadEnergy) return;
    const feed = new EnergyFeed(tenant, ENERGY_HORIZON_MS, this.loadEnergy, channel.log, this.now);
    this.energyFeeds.set(channel.key, feed);
    await feed.load(this.now() - ENERGY_HORIZON_MS);
  }

  release(channel: LiveChannel): void {
    channel.subscribers = Math.max(0, channel.subscribers - 1);
    if (channel.subscribers === 0) channel.idleSince = this.now();
  }

  /** Ages rows out, derives `unresponsive`, drops meter channels idle for longer than `meterIdleMs`. */
  tick(): void {
    const now = this.now();
    for (const channel of this.channels.values()) {
      if (channel.key === SERVICES) this.refreshUnresponsive(channel.log, now);
      else channel.log.prune((row) => this.expired(row, now));
      this.energyFeeds.get(channel.key)?.tick();
      if (
        onDemand(channel) &&
        channel.loaded &&
        channel.subscribers === 0 &&
        now - channel.idleSince > this.limits.meterIdleMs
      ) {
        this.drop(channel);
      }
    }
  }

  private refreshUnresponsive(log: ChannelLog, now: number): void {
    for (const r of log.snapshot().rows) {
      const row = r.row as (ServiceStatusRecord & { unresponsive: boolean }) | null;
      if (row && !row.unresponsive && isUnresponsive(row, now, this.limits.heartbeatMs)) {
        log.apply({ ...r, version: r.version + 1, row: { ...row, unresponsive: true } });
      }
    }
  }

  /** Whether a row is past its channel's horizon (queue windows, meter windows, resolved alerts). */
  private expired(r: LiveRow, now: number): boolean {
    const row = r.row;
    if (row === null) return false;
    switch (r.kind) {
      case 'queue_stats_1m':
        return !(Date.parse(String(row.window_start)) >= now - this.limits.queueHorizonMs);
      case 'meter_energy_15m':
        return !(Date.parse(String(row.window_start)) >= now - this.limits.meterHorizonMs);
      case 'alert':
        return (
          row.state !== 'firing' &&
          !(Date.parse(String(row.resolved_at ?? row.fired_at)) >= now - this.limits.alertHorizonMs)
        );
      default:
        return false;
    }
  }

  private ensure(tenant: string | null, name: string): LiveChannel {
    const key = channelKey(tenant, name);
    let channel = this.channels.get(key);
    if (!channel) {
      channel = {
        key,
        name,
        log: new ChannelLog({
          epoch: `${this.epoch}.${++this.incarnation}`,
          maxRows: this.limits.maxRowsPerChannel,
          ringSize: this.limits.ringSize,
        }),
        subscribers: 0,
        idleSince: this.now(),
        ready: Promise.resolve(),
        loaded: true,
      };
      this.channels.set(key, channel);
    }
    return channel;
  }

  private evictIdleMeter(): boolean {
    let oldest: LiveChannel | undefined;
    for (const c of this.channels.values()) {
      if (onDemand(c) && c.loaded && c.subscribers === 0 && (!oldest || c.idleSince < oldest.idleSince)) oldest = c;
    }
    if (oldest) this.drop(oldest);
    return oldest !== undefined;
  }

  private drop(channel: LiveChannel): void {
    if (this.channels.get(channel.key) !== channel) return;
    this.channels.delete(channel.key);
    this.energyFeeds.delete(channel.key);
    if (onDemand(channel)) this.meterChannels--;
  }

  private reject(): false {
    this.rejected++;
    return false;
  }
}

/** Channels loaded from Postgres on first subscribe and dropped when idle: `meter:<id>` and `energy`. */
function onDemand(channel: LiveChannel): boolean {
  return channel.name.startsWith('meter:') || channel.name === ENERGY;
}

function channelKey(tenant: string | null, name: string): string {
  return tenant === null ? name : `${tenant}|${name}`;
}

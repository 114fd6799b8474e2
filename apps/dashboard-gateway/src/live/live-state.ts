import { type MetricUpdate, parseUpdateRow, type TypedMetricUpdate } from '@switchboard/domain';
import { isUnresponsive, type ServiceStatusRecord } from '@switchboard/streams';
import { ChannelLog, type LiveRow } from './channel-log';
import { CONSUMER_LAG_KIND, type ConsumerLagFigures, consumerLagId, sameFigures } from './consumer-lag';
import { EnergyFeed, type EnergyLoader } from './energy-channel';
import { KeyCounts } from './key-counts';
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

/**
 * A bound met (README "Guarantees and bounds"): rows of a full channel evicted or refused — its subscribers are told —
 * or a tenant's meter channel refused (the subscriber is told by the refusal). At most one a minute per channel.
 */
export interface BoundNotice {
  outcome: 'rows_evicted' | 'rows_refused' | 'meter_channels_refused';
  tenant: string | null;
  /** The channel's key (`<tenant>|<name>`) and name. */
  channelKey: string;
  channel: string;
  message: string;
}

/** How often one channel's bound is told again while it stays at it. */
const NOTICE_EVERY_MS = 60_000;
/** Kinds of `queues` that no horizon ages out: they leave when idle for `queueIdleMs` (agent_counts, one a tenant, stays). */
const IDLE_KINDS: ReadonlySet<string> = new Set(['queue_gauge', 'agent_status']);

/** Postgres reads the state needs on demand (the start-up fill goes through `applyUpdate`). */
export type MeterLoader = (tenant: string, meterId: string, sinceMs: number) => Promise<MetricUpdate[]>;

export const SERVICE_STATUS_KIND = 'service_status';
/** The `energy` channel keeps windows this long: a local day is at most 25 h (a daylight-saving day). */
export const ENERGY_HORIZON_MS = 26 * 3600_000;
const ENERGY = 'energy';
const QUEUES = 'queues';
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
  /** Meter and energy channels per tenant. */
  private readonly meterChannels: KeyCounts;
  private readonly noticed = new Map<string, number>();
  /** What the bounds did (for /metrics): queue rows evicted by age or for room, rows refused, meter channels refused. */
  readonly bounded = { queueRowsIdle: 0, queueRowsLimit: 0, rowsRefused: 0, meterChannelsRefused: 0 };
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
    /** Hears of every bound met (at most one a minute per channel): the service logs it and tells subscribers. */
    private readonly onBound: (notice: BoundNotice) => void = () => undefined,
  ) {
    this.meterChannels = new KeyCounts(limits.maxMeterChannelsPerTenant);
  }

  /** The channel if it exists (tests and the socket layer read it). */
  channel(tenant: string | null, name: string): LiveChannel | undefined {
    return this.channels.get(channelKey(tenant, name));
  }

  get channelCount(): number {
    return this.channels.size;
  }

  /** The bounds' figures now (for /metrics): rows of every tenant's `queues`, meter channels, tenants at a limit. */
  boundFigures(): {
    queueRows: number;
    queueTenantsAtLimit: number;
    meterChannels: number;
    meterTenantsAtLimit: number;
  } {
    let queueRows = 0;
    let queueTenantsAtLimit = 0;
    for (const c of this.channels.values()) {
      if (c.name !== QUEUES) continue;
      queueRows += c.log.size;
      if (c.log.size >= this.limits.maxQueueRowsPerTenant) queueTenantsAtLimit++;
    }
    return {
      queueRows,
      queueTenantsAtLimit,
      meterChannels: this.meterChannels.total,
      meterTenantsAtLimit: this.meterChannels.keysAtLimit,
    };
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
        return this.ensure(u.tenant, QUEUES).log.apply(row, now);
      case 'agent_status': {
        // An agent's row changed when its status did (`since`): the rows the start fill reads are judged by it too.
        const since = Date.parse(u.row.since);
        return this.ensure(u.tenant, QUEUES).log.apply(row, Number.isFinite(since) ? Math.min(now, since) : now);
      }
      case 'queue_gauge':
      case 'agent_counts':
        return this.ensure(u.tenant, QUEUES).log.apply(row, now);
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

  /**
   * A subscriber takes the channel (created, and for a meter loaded, on first use); null when the tenant holds its
   * limit of meter and energy channels, none of them idle (another tenant's are never touched).
   */
  acquire(tenant: string, parsed: ParsedChannel): LiveChannel | null {
    const name = parsed.kind === 'meter' ? `meter:${parsed.meterId}` : parsed.kind;
    const owner = parsed.kind === 'services' || parsed.kind === 'lag' ? null : tenant;
    let channel = this.channels.get(channelKey(owner, name));
    if (!channel && (parsed.kind === 'meter' || parsed.kind === 'energy')) {
      if (this.meterChannels.full(tenant) && !this.evictIdleMeter(tenant)) {
        this.bounded.meterChannelsRefused++;
        this.notice(tenant, 'meter:*', 'meter_channels_refused', this.meterChannelRefusal(tenant));
        return null;
      }
      channel = this.ensure(tenant, name);
      this.meterChannels.add(tenant);
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

  /** Why a tenant's next meter or energy channel is refused (the subscriber's error and the log line). */
  meterChannelRefusal(tenant: string): string {
    return `tenant ${tenant} has ${this.limits.maxMeterChannelsPerTenant} meter and energy channels in use on this gateway, none idle; unsubscribe some (an idle one is let go after ${Math.round(this.limits.meterIdleMs / 1000)} s)`;
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
      else if (channel.name === QUEUES)
        channel.log.prune((row, changedAt) => {
          const idle = IDLE_KINDS.has(row.kind) && now - changedAt > this.limits.queueIdleMs;
          if (idle) this.bounded.queueRowsIdle++;
          return idle || this.expired(row, now);
        });
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
      const queues = name === QUEUES;
      const maxRows = queues ? this.limits.maxQueueRowsPerTenant : this.limits.maxRowsPerChannel;
      channel = {
        key,
        name,
        log: new ChannelLog({
          epoch: `${this.epoch}.${++this.incarnation}`,
          maxRows,
          ringSize: this.limits.ringSize,
          // A tenant's queues make room by forgetting that tenant's row changed least recently; other channels
          // refuse new rows (an alert or a meter window must not push out another).
          whenFull: queues ? 'evictOldest' : 'refuse',
          onFull: (outcome) => {
            if (outcome === 'evicted') this.bounded.queueRowsLimit++;
            else this.bounded.rowsRefused++;
            const what =
              outcome === 'evicted'
                ? 'the rows changed least recently leave it to make room for new ones'
                : 'new rows are refused (rows already in it keep updating)';
            this.notice(
              tenant,
              name,
              outcome === 'evicted' ? 'rows_evicted' : 'rows_refused',
              `the ${name} channel${tenant === null ? '' : ` of tenant ${tenant}`} holds its limit of ${maxRows} rows on this gateway: ${what}`,
            );
          },
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

  /** Lets the tenant's longest idle meter or energy channel go; false when none of its channels is idle. */
  private evictIdleMeter(tenant: string): boolean {
    let oldest: LiveChannel | undefined;
    const own = `${tenant}|`;
    for (const c of this.channels.values()) {
      if (!c.key.startsWith(own) || !onDemand(c) || !c.loaded || c.subscribers > 0) continue;
      if (!oldest || c.idleSince < oldest.idleSince) oldest = c;
    }
    if (oldest) this.drop(oldest);
    return oldest !== undefined;
  }

  private drop(channel: LiveChannel): void {
    if (this.channels.get(channel.key) !== channel) return;
    this.channels.delete(channel.key);
    this.energyFeeds.delete(channel.key);
    this.noticed.delete(channel.key);
    if (onDemand(channel)) this.meterChannels.add(channel.key.slice(0, channel.key.indexOf('|')), -1);
  }

  /** Tells of a bound met, at most once a minute per channel. */
  private notice(tenant: string | null, name: string, outcome: BoundNotice['outcome'], message: string): void {
    const key = channelKey(tenant, name);
    const now = this.now();
    const last = this.noticed.get(key);
    if (last !== undefined && now - last < NOTICE_EVERY_MS) return;
    this.noticed.set(key, now);
    this.onBound({ outcome, tenant, channelKey: key, channel: name, message });
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

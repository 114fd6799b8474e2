import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { NotReady, nestStreamsLogger } from '@switchboard/service';
import { interruptibleSleep, Outage, type StreamingClient } from '@switchboard/streams';
import { InjectStreamingClient } from '@switchboard/streams/nest';
import { CheckpointOffsets } from './checkpoint-offsets';
import type { PartitionRange } from './consumer-lag';
import { energyLoader } from './energy-fill';
import { KafkaFeed } from './kafka-feed';
import { LagPoller } from './lag-poller';
import type { ResolvedLiveOptions } from './live-options';
import { LiveSocketServer } from './live-server';
import { LiveState } from './live-state';
import { agentRows, alertRows, meterWindowsSince, queueWindowsSince } from './postgres-fill';

export const LIVE_OPTIONS = Symbol('LIVE_OPTIONS');

export function defaultInstanceId(): string {
  return `${hostname()
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 60)}-${process.pid}`;
}

/**
 * Start order: Kafka start offsets fixed first (the feed), then the Postgres fill, then socket.io on Nest's HTTP
 * server. Every row committed before the offsets were fixed is in Postgres, every later one comes from Kafka, and
 * both merge by version, so nothing falls in between. Consumer lag (when configured) has its first round before
 * socket.io attaches, then one every interval. Stop: clients disconnected, consumer stopped, its group
 * deleted.
 *
 * Kafka or Postgres away when the gateway boots: the first start is awaited (a healthy stack boots with its live
 * feed ready), and when it fails the gateway boots anyway — REST and pages serve what they can, readiness says the
 * live feed is not there — and the start is tried again with back-off (logged once when it begins and once when it
 * ends) until it works: an orchestrator restarting the process would only start it over.
 *
 * The live feed failing later (its Kafka client gave up: Kafka away past its retries) is the same outage: readiness
 * says so at once (clients keep their sockets and channels, but see no change until it is back), and the feed is
 * started again with the same back-off, from where it had read each partition — the channels keep their epochs, so
 * clients get what they missed as deltas and nothing is re-filled.
 */
@Injectable()
export class LiveService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('LiveModule');
  readonly state: LiveState;
  readonly feed: KafkaFeed;
  readonly server: LiveSocketServer;
  /** Consumer lag for the `lag` channel, when configured. */
  readonly lag: LagPoller | undefined;
  private readonly startOutage: Outage;
  private live = false;
  /** socket.io is attached (the first start went through); a later outage is a restart of the feed alone. */
  private attached = false;
  /** Times the running feed failed and was restarted (for /metrics). */
  feedFailures = 0;
  private stopping = false;
  private retrying: Promise<void> | undefined;
  private interruptWait: (() => void) | undefined;

  constructor(
    @Inject(LIVE_OPTIONS) private readonly options: ResolvedLiveOptions,
    private readonly httpHost: HttpAdapterHost,
    @InjectStreamingClient() client: StreamingClient,
  ) {
    const { limits, pool } = options;
    this.state = new LiveState(
      randomBytes(6).toString('base64url'),
      limits,
      (tenant, meterId, since) => meterWindowsSince(pool, tenant, meterId, since),
      Date.now,
      energyLoader(pool, limits.maxFillRows),
      (notice) => {
        // A bound met is the operator's to know (which tenant, which channel) and the tenant's to see.
        this.logger.warn(`live bound: ${notice.message}`);
        if (notice.outcome !== 'meter_channels_refused')
          this.server.notifySubscribers(notice.channelKey, { code: 'channel_full', message: notice.message });
      },
    );
    this.feed = new KafkaFeed(
      {
        topicNamespace: options.topicNamespace,
        instanceId: options.instanceId,
        topicPartitions: options.topicPartitions,
        warmupMs: limits.gaugeWarmupMs,
        catchUpTimeoutMs: 30_000,
        onFailed: (error) => this.onFeedFailed(error),
      },
      this.state,
      this.logger,
      client,
    );
    const lag = options.consumerLag;
    if (lag) {
      const checkpoints = new CheckpointOffsets(pool, lag.groupPrefix, lag.tablePrefix);
      this.lag = new LagPoller(
        { checkpoints: (limit) => checkpoints.read(limit), ranges: (topics) => partitionRanges(client, topics) },
        (rows, complete) => this.state.applyConsumerLag(rows, complete),
        { intervalMs: lag.intervalMs, maxRows: limits.maxRowsPerChannel },
        this.logger,
      );
    }
    this.startOutage = new Outage(
      'Kafka or Postgres (the live feed)',
      { initialMs: 1000, maxMs: 15_000 },
      nestStreamsLogger(this.logger),
    );
    this.server = new LiveSocketServer(this.state, limits, options.tokenSecret, {
      operatorTenant: options.operatorTenant,
      lagEnabled: lag !== undefined,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.startLive();
    } catch (err) {
      this.retrying = this.retryStart(
        () => this.startLive(),
        err as Error,
        'REST and pages serve meanwhile; starting the live feed again with back-off',
      );
    }
  }

  /**
   * For readiness: resolves while the live feed runs; throws why not (starting, not started, or stopped and being
   * restarted) — a sentence of its own, never the error's text (that is in the log).
   */
  async ready(): Promise<void> {
    if (this.live && this.feed.running) return;
    if (this.stopping) throw new NotReady('live feed stopped: the gateway is shutting down');
    const outage = this.startOutage.status;
    const attempts = outage && `${outage.attempts} attempts since ${new Date(outage.since).toISOString()}`;
    if (this.attached)
      throw new NotReady(
        attempts
          ? `live feed stopped; restarting it (${attempts}; the error is in the log)`
          : 'live feed stopped; restarting it',
      );
    throw new NotReady(
      attempts ? `live feed not started (${attempts}; the error is in the log)` : 'live feed starting',
    );
  }

  /** The running feed's reader stopped by itself: not ready at once, then started again with back-off. */
  private onFeedFailed(error: Error): void {
    if (!this.live || this.stopping) return; // a start under way sees the failure itself
    this.live = false;
    this.feedFailures++;
    this.retrying = this.feed
      .stop()
      .catch(() => undefined)
      .then(() =>
        this.retryStart(
          () => this.feed.start(),
          error,
          'clients stay connected but see no change; starting it again with back-off',
        ),
      );
  }

  private async retryStart(start: () => Promise<void>, first: Error, meanwhile: string): Promise<void> {
    let waitMs = this.startOutage.failed(first, meanwhile);
    while (!this.stopping) {
      const sleep = interruptibleSleep(waitMs);
      this.interruptWait = sleep.interrupt;
      await sleep.done;
      if (this.stopping) return;
      try {
        await start();
        if (!this.feed.running) throw new Error('the live feed stopped while it started');
        this.live = true;
        this.startOutage.recovered();
        return;
      } catch (err) {
        await this.feed.stop().catch(() => undefined);
        waitMs = this.startOutage.failed(err as Error, 'still retrying');
      }
    }
  }

  /** One start: feed, fill, first lag round, socket.io; a failure undoes the feed's part, so it can run again. */
  private async startLive(): Promise<void> {
    try {
      await this.fill();
      if (!this.feed.running) throw new Error('the live feed stopped while it started');
    } catch (err) {
      await this.feed.stop().catch(() => undefined);
      throw err;
    }
    this.server.attach(this.httpHost.httpAdapter.getHttpServer(), this.options.path);
    this.attached = true;
    this.live = true;
    this.logger.log(
      `live on ${this.options.path}: epoch ${this.state.epoch}, ${this.state.channelCount} channels, group ${this.feed.groupId}`,
    );
  }

  private async fill(): Promise<void> {
    const { pool, limits } = this.options;
    await this.feed.start();
    const now = Date.now();
    const [windows, agents, alerts] = await Promise.all([
      queueWindowsSince(pool, now - limits.queueHorizonMs, limits.maxFillRows),
      agentRows(pool, limits.maxFillRows),
      alertRows(pool, now - limits.alertHorizonMs, limits.maxFillRows),
    ]);
    for (const u of windows) this.state.applyUpdate(u);
    for (const u of agents) this.state.applyUpdate(u);
    for (const u of alerts) this.state.applyUpdate(u);
    // The first round before anyone connects (a failure only logs: the next round comes within the interval).
    await this.lag?.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.interruptWait?.();
    await this.retrying;
    this.server.close();
    await this.lag?.stop();
    await this.feed.stop();
  }
}

/** The low and high watermarks of the topics, for the lag figures; a topic that cannot be read is left out. */
async function partitionRanges(
  client: StreamingClient,
  topics: readonly string[],
): Promise<Map<string, PartitionRange[]>> {
  const out = new Map<string, PartitionRange[]>();
  for (const [topic, ranges] of await client.offsetRangesOf(topics))
    out.set(
      topic,
      [...ranges].map(([partition, r]) => ({ partition, low: r.start.toString(), high: r.end.toString() })),
    );
  return out;
}

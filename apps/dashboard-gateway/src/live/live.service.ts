import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { CheckpointOffsets } from './checkpoint-offsets';
import { KafkaEndOffsets } from './kafka-end-offsets';
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
 */
@Injectable()
export class LiveService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('LiveModule');
  readonly state: LiveState;
  readonly feed: KafkaFeed;
  readonly server: LiveSocketServer;
  /** Consumer lag for the `lag` channel, when configured. */
  readonly lag: LagPoller | undefined;
  private readonly endOffsets: KafkaEndOffsets | undefined;

  constructor(
    @Inject(LIVE_OPTIONS) private readonly options: ResolvedLiveOptions,
    private readonly httpHost: HttpAdapterHost,
  ) {
    const { limits, pool } = options;
    this.state = new LiveState(randomBytes(6).toString('base64url'), limits, (tenant, meterId, since) =>
      meterWindowsSince(pool, tenant, meterId, since),
    );
    this.feed = new KafkaFeed(
      {
        brokers: options.brokers,
        topicNamespace: options.topicNamespace,
        instanceId: options.instanceId,
        topicPartitions: options.topicPartitions,
        warmupMs: limits.gaugeWarmupMs,
        catchUpTimeoutMs: 30_000,
      },
      this.state,
      this.logger,
    );
    const lag = options.consumerLag;
    if (lag) {
      const checkpoints = new CheckpointOffsets(pool, lag.groupPrefix, lag.tablePrefix);
      const endOffsets = new KafkaEndOffsets(options.brokers, options.instanceId, this.logger);
      this.endOffsets = endOffsets;
      this.lag = new LagPoller(
        { checkpoints: (limit) => checkpoints.read(limit), ranges: (topics) => endOffsets.ranges(topics) },
        (rows, complete) => this.state.applyConsumerLag(rows, complete),
        { intervalMs: lag.intervalMs, maxRows: limits.maxRowsPerChannel },
        this.logger,
      );
    }
    this.server = new LiveSocketServer(this.state, limits, options.tokenSecret, {
      operatorTenant: options.operatorTenant,
      lagEnabled: lag !== undefined,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
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
    this.server.attach(this.httpHost.httpAdapter.getHttpServer(), this.options.path);
    this.logger.log(
      `live on ${this.options.path}: epoch ${this.state.epoch}, ${this.state.channelCount} channels, group ${this.feed.groupId}`,
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.server.close();
    await this.lag?.stop();
    await this.endOffsets?.close();
    await this.feed.stop();
  }
}

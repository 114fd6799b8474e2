import { DynamicModule, Module } from '@nestjs/common';
import {
  CLOSE_ON_SHUTDOWN,
  databasePool,
  databasePoolProvider,
  gracefulShutdownProviders,
  HealthController,
  HttpMetrics,
  httpServiceImports,
  MetricsController,
  PG_POOL,
  postgresReady,
  READINESS_CHECKS,
  SERVICE_STATUS,
  type ServiceStatusReporter,
} from '@switchboard/service';
import type { Pool } from 'pg';
import { DashboardAuthGuard } from './auth/dashboard-auth.guard';
import { TokenThrottlerGuard } from './auth/token-throttler.guard';
import { EnergyController } from './billing/energy.controller';
import type { GatewayConfig } from './config';
import { DashboardReadsController } from './dashboards/dashboard-reads.controller';
import type { HttpRequest } from './http/http-types';
import { GATEWAY_CONFIG } from './injection';
import { LiveModule, LiveService } from './live';
import { registerLiveMetrics } from './live/live-metrics';
import { PageModule } from './page';
import { QueueStatsController } from './queues/queue-stats.controller';

export interface GatewayModuleOptions {
  config: GatewayConfig;
  /** The instance's status on service.status: Stopping on shutdown, Stopped once everything is closed. */
  status?: ServiceStatusReporter;
}

@Module({})
export class DashboardGatewayModule {
  static register({ config, status }: GatewayModuleOptions): DynamicModule {
    const pool = databasePool(config.database, 'dashboard-gateway', {
      statement_timeout: config.statementTimeoutMs,
    });
    return {
      module: DashboardGatewayModule,
      imports: [
        // Tokens travel only in the Authorization header (links carry them in the fragment, never sent).
        ...httpServiceImports({
          logLevel: config.logLevel,
          rateLimit: config.rateLimit,
          tenantOf: (req) => (req as HttpRequest).dashboard?.tenant,
        }),
        // Snapshot + deltas over socket.io on the same HTTP server (src/live/README.md); it shares the pool.
        LiveModule.forRoot({
          brokers: config.kafka.brokers,
          kafka: config.kafka,
          topicPartitions: config.kafka.partitions,
          topicNamespace: config.kafka.topicNamespace,
          pool,
          tokenSecret: config.tokenSecret,
          instanceId: config.instanceId,
          consumerLag: config.consumerLag,
          operatorTenant: config.operatorTenant,
          limits: config.liveLimits,
        }),
        // The supervisor's wallboard at `/` and the operator's services panel at `/services` (src/page/): static
        // files, same origin as the socket.
        PageModule,
      ],
      controllers: [
        EnergyController,
        QueueStatsController,
        DashboardReadsController,
        HealthController,
        MetricsController,
      ],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        ...gracefulShutdownProviders(status),
        databasePoolProvider(pool),
        {
          provide: HttpMetrics,
          useFactory: () =>
            new HttpMetrics({
              prefix: 'dashboard_gateway',
              latencyBuckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
            }),
        },
        // The live delivery's figures on /metrics, next to the HTTP ones.
        {
          provide: 'LIVE_METRICS',
          inject: [HttpMetrics, LiveService],
          useFactory: (metrics: HttpMetrics, live: LiveService) => registerLiveMetrics(metrics.registry, live),
        },
        // Ready = Postgres answers and the live feed runs; the HTTP server closes first, then the pool.
        {
          provide: READINESS_CHECKS,
          inject: [PG_POOL, LiveService],
          useFactory: (pool: Pool, live: LiveService) => [
            postgresReady(pool),
            { key: 'live', check: () => live.ready() },
          ],
        },
        { provide: CLOSE_ON_SHUTDOWN, inject: [PG_POOL], useFactory: (pool: Pool) => [() => pool.end()] },
        DashboardAuthGuard,
        TokenThrottlerGuard,
      ],
      exports: [GATEWAY_CONFIG, PG_POOL, SERVICE_STATUS],
    };
  }
}

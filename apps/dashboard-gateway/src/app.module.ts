import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import { databasePool, SERVICE_STATUS, type ServiceStatusReporter } from '@switchboard/service';
import { LoggerModule } from 'nestjs-pino';
import { DashboardAuthGuard } from './auth/dashboard-auth.guard';
import { TokenThrottlerGuard } from './auth/token-throttler.guard';
import { EnergyController } from './billing/energy.controller';
import type { GatewayConfig } from './config';
import { HealthController } from './health/health.controller';
import type { HttpRequest } from './http/http-types';
import { Lifecycle } from './lifecycle';
import { GatewayMetrics } from './metrics/gateway-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { QueueStatsController } from './queues/queue-stats.controller';
import { GATEWAY_CONFIG, PG_POOL, SHUTDOWN_STATE } from './tokens';

export interface GatewayModuleOptions {
  config: GatewayConfig;
  /** The instance's status on service.status: Stopping on shutdown, Stopped once everything is closed. */
  status?: ServiceStatusReporter;
}

@Module({})
export class DashboardGatewayModule {
  static register({ config, status }: GatewayModuleOptions): DynamicModule {
    return {
      module: DashboardGatewayModule,
      imports: [
        TerminusModule,
        ThrottlerModule.forRoot([{ name: 'default', ttl: config.rateLimit.windowMs, limit: config.rateLimit.limit }]),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            // Tokens travel only in the Authorization header (links carry them in the fragment, never sent).
            redact: ['req.headers.authorization', 'req.headers.cookie'],
            customProps: (req) => ({ tenant: (req as HttpRequest).dashboard?.tenant }),
            autoLogging: { ignore: (req) => req.url === '/health/live' || req.url === '/metrics' },
          },
        }),
        // ── LIVE: the WebSocket module (apps/dashboard-gateway/src/live, socket.io snapshot + deltas) is wired in
        // here by the lead, e.g. `LiveModule.register({ config, pool })`. Nothing under src/live/ is owned here.
      ],
      controllers: [EnergyController, QueueStatsController, HealthController, MetricsController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: SERVICE_STATUS, useValue: status ?? null },
        { provide: SHUTDOWN_STATE, useValue: { shuttingDown: false } },
        {
          provide: PG_POOL,
          useFactory: () =>
            databasePool(config.databaseUrl, 'dashboard-gateway', { statement_timeout: config.statementTimeoutMs }),
        },
        GatewayMetrics,
        DashboardAuthGuard,
        TokenThrottlerGuard,
        Lifecycle,
      ],
      exports: [GATEWAY_CONFIG, PG_POOL, SERVICE_STATUS],
    };
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import {
  bounded,
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
  READINESS_TIMEOUT_MS,
  type ServiceStatusReporter,
} from '@switchboard/service';
import { PinoLogger } from 'nestjs-pino';
import { Pool } from 'pg';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeyRepository } from './auth/api-key.repository';
import { ApiKeyAuthenticator } from './auth/api-key-authenticator';
import { FailedAuthLimiter } from './auth/failed-auth-limiter';
import type { AuthenticatedRequest } from './auth/tenant';
import { TenantThrottlerGuard } from './auth/tenant-throttler.guard';
import type { IngestConfig } from './config';
import { EventsController } from './events/events.controller';
import { IngestService } from './events/ingest.service';
import { INGEST_CONFIG, INGEST_SERVICE } from './injection';
import { IngestMetrics } from './metrics/ingest-metrics';
import { PropertiesController } from './properties/properties.controller';
import { EVENT_PUBLISHER, type EventPublisher } from './publishing/event-publisher';
import { publisherWiring } from './publishing/publisher-wiring';

export interface IngestModuleOptions {
  config: IngestConfig;
  /** Replaces the Kafka publisher (tests: a broker-less port, a fake). */
  publisher?: EventPublisher;
  /** The instance's status on service.status: Stopping on shutdown, Stopped once everything is closed. */
  status?: ServiceStatusReporter;
}

@Module({})
export class IngestModule {
  static register({ config, publisher, status }: IngestModuleOptions): DynamicModule {
    const publishing = publisherWiring(config, publisher);
    return {
      module: IngestModule,
      imports: [
        ...httpServiceImports({
          logLevel: config.logLevel,
          rateLimit: config.rateLimit,
          tenantOf: (req) => (req as Partial<AuthenticatedRequest>).tenant,
        }),
        ...publishing.imports,
      ],
      controllers: [EventsController, PropertiesController, HealthController, MetricsController],
      providers: [
        { provide: INGEST_CONFIG, useValue: config },
        ...gracefulShutdownProviders(status),
        IngestMetrics,
        { provide: HttpMetrics, useExisting: IngestMetrics },
        databasePoolProvider(databasePool(config.database, 'ingest')),
        ...publishing.providers,
        // Ready = Postgres and Kafka answer; the HTTP server closes first, then the producer and the pool.
        {
          provide: READINESS_CHECKS,
          inject: [PG_POOL, EVENT_PUBLISHER],
          useFactory: (pool: Pool, p: EventPublisher) => [
            postgresReady(pool),
            { key: 'kafka', check: () => bounded(p.checkReady(), 'Kafka', READINESS_TIMEOUT_MS) },
          ],
        },
        {
          provide: CLOSE_ON_SHUTDOWN,
          inject: [EVENT_PUBLISHER, PG_POOL],
          useFactory: (p: EventPublisher, pool: Pool) => [() => p.close(), () => pool.end()],
        },
        {
          provide: ApiKeyAuthenticator,
          inject: [PG_POOL, PinoLogger],
          useFactory: (pool: Pool, log: PinoLogger) =>
            new ApiKeyAuthenticator(
              new ApiKeyRepository(pool),
              config.apiKeyCacheMs,
              config.publish.retryAfterSeconds,
              new FailedAuthLimiter(config.failedAuth),
              Date.now,
              (err) => log.error({ err: err.message }, 'API key lookup failed; requests are answered 503'),
            ),
        },
        {
          provide: INGEST_SERVICE,
          inject: [EVENT_PUBLISHER, IngestMetrics],
          useFactory: (p: EventPublisher, metrics: IngestMetrics) => new IngestService(p, metrics, config.time),
        },
        ApiKeyGuard,
        TenantThrottlerGuard,
      ],
    };
  }
}

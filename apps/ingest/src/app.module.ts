import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import { databasePool, SERVICE_STATUS, type ServiceStatusReporter } from '@switchboard/service';
import { LoggerModule } from 'nestjs-pino';
import { Pool } from 'pg';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeyRepository } from './auth/api-key.repository';
import { ApiKeyAuthenticator } from './auth/api-key-authenticator';
import { TenantThrottlerGuard } from './auth/tenant-throttler.guard';
import type { IngestConfig } from './config';
import { EventsController } from './events/events.controller';
import { IngestService } from './events/ingest.service';
import { HealthController } from './health/health.controller';
import { Lifecycle } from './lifecycle';
import { IngestMetrics } from './metrics/ingest-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { PropertiesController } from './properties/properties.controller';
import { EVENT_PUBLISHER, type EventPublisher } from './publishing/event-publisher';
import { createStreamsPublisher } from './publishing/streams-event-publisher';
import { INGEST_CONFIG, INGEST_SERVICE, PG_POOL, SHUTDOWN_STATE } from './tokens';

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
    return {
      module: IngestModule,
      imports: [
        TerminusModule,
        ThrottlerModule.forRoot([{ name: 'default', ttl: config.rateLimit.windowMs, limit: config.rateLimit.limit }]),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            redact: ['req.headers.authorization', 'req.headers.cookie'],
            customProps: (req) => ({ tenant: (req as { tenant?: string }).tenant }),
            autoLogging: { ignore: (req) => req.url === '/health/live' || req.url === '/metrics' },
          },
        }),
      ],
      controllers: [EventsController, PropertiesController, HealthController, MetricsController],
      providers: [
        { provide: INGEST_CONFIG, useValue: config },
        { provide: SERVICE_STATUS, useValue: status ?? null },
        { provide: SHUTDOWN_STATE, useValue: { shuttingDown: false } },
        IngestMetrics,
        { provide: PG_POOL, useFactory: () => databasePool(config.databaseUrl, 'ingest') },
        {
          provide: EVENT_PUBLISHER,
          useFactory: () => publisher ?? createStreamsPublisher(config),
        },
        {
          provide: ApiKeyAuthenticator,
          inject: [PG_POOL],
          useFactory: (pool: Pool) =>
            new ApiKeyAuthenticator(new ApiKeyRepository(pool), config.apiKeyCacheMs, config.publish.retryAfterSeconds),
        },
        {
          provide: INGEST_SERVICE,
          inject: [EVENT_PUBLISHER, IngestMetrics],
          useFactory: (p: EventPublisher, metrics: IngestMetrics) => new IngestService(p, metrics, config.time),
        },
        ApiKeyGuard,
        TenantThrottlerGuard,
        Lifecycle,
      ],
    };
  }
}

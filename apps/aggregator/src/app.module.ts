import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import {
  databasePool,
  databasePoolProvider,
  PG_POOL,
  requestLogLevel,
  SERVICE_STATUS,
  type ServiceStatusReporter,
  streamingClientOptions,
} from '@switchboard/service';
import type { StreamingClient, StreamsLogger } from '@switchboard/streams';
import { STREAMING_CLIENT, StreamsModule } from '@switchboard/streams/nest';
import { Logger, LoggerModule, PinoLogger } from 'nestjs-pino';
import type { Pool } from 'pg';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { AggregatorConfig } from './config';
import { HealthController } from './health/health.controller';
import { registerOutboxMetrics } from './health/outbox-metrics';
import { registerRefusedInputsMetric } from './health/refused-inputs-metric';
import { AGGREGATOR_CONFIG, METRICS_REGISTRY, PIPELINE_RUNNER } from './injection';
import { pipelineContext } from './pipelines/pipeline';
import { type PipelineFactory, PipelineRunner } from './pipelines/pipeline-runner';

export interface AggregatorModuleOptions {
  config: AggregatorConfig;
  pipelines: readonly PipelineFactory[];
  /** The instance's status on service.status: Stopping on shutdown, Stopped once everything is closed. */
  status?: ServiceStatusReporter;
}

/**
 * Starts the pipelines once the app is up; on SIGTERM goes Stopping, closes them (final checkpoints), then the
 * connections, then goes Stopped.
 */
@Injectable()
class AggregatorLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(PIPELINE_RUNNER) private readonly runner: PipelineRunner,
    @Inject(STREAMING_CLIENT) private readonly client: StreamingClient,
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly log: PinoLogger,
    @Inject(SERVICE_STATUS) private readonly status: ServiceStatusReporter | null,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start();
    this.log.info({ pipelines: this.runner.names }, 'pipelines running');
  }

  beforeApplicationShutdown(signal?: string): void {
    this.status?.stopping(signal);
  }

  async onApplicationShutdown(signal?: string): Promise<void> {
    this.log.info({ signal }, 'stopping pipelines (final checkpoints)');
    await this.runner.close();
    await this.client.close();
    await this.pool.end();
    await this.status?.stopped();
  }
}

function streamsLogger(log: PinoLogger): StreamsLogger {
  return {
    debug: (m, c) => log.debug(c ?? {}, m),
    info: (m, c) => log.info(c ?? {}, m),
    warn: (m, c) => log.warn(c ?? {}, m),
    error: (m, c) => log.error(c ?? {}, m),
  };
}

@Module({})
export class AggregatorModule {
  static register({ config, pipelines, status }: AggregatorModuleOptions): DynamicModule {
    return {
      module: AggregatorModule,
      imports: [
        TerminusModule,
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            customLogLevel: requestLogLevel,
            autoLogging: { ignore: (req) => req.url === '/health/live' || req.url === '/metrics' },
          },
        }),
        // The app's one StreamingClient (STREAMING_CLIENT). AggregatorLifecycle closes it in its shutdown order
        // (after the pipelines' final checkpoints, before the pool); the module's own close then finds it closed.
        StreamsModule.forRootAsync({
          inject: [PinoLogger],
          useFactory: (log: PinoLogger) => ({
            ...streamingClientOptions(config.kafka, `aggregator-${config.instanceId ?? process.pid}`),
            logger: streamsLogger(log),
          }),
        }),
      ],
      controllers: [HealthController],
      providers: [
        { provide: AGGREGATOR_CONFIG, useValue: config },
        { provide: SERVICE_STATUS, useValue: status ?? null },
        databasePoolProvider(databasePool(config.database, 'aggregator')),
        {
          provide: METRICS_REGISTRY,
          useFactory: () => {
            const registry = new Registry();
            registry.setDefaultLabels({ service: 'aggregator', instance: config.instanceId ?? String(process.pid) });
            collectDefaultMetrics({ register: registry });
            return registry;
          },
        },
        {
          provide: PIPELINE_RUNNER,
          inject: [STREAMING_CLIENT, PG_POOL, PinoLogger, METRICS_REGISTRY],
          useFactory: (client: StreamingClient, pool: Pool, log: PinoLogger, registry: Registry) => {
            const runner = new PipelineRunner(
              pipelineContext({ client, pool, logger: streamsLogger(log) }, config),
              pipelines,
              { retainSentMs: config.outboxRetainMs },
            );
            registerRefusedInputsMetric(registry, runner);
            registerOutboxMetrics(registry, () => runner.outboxRelay);
            return runner;
          },
        },
        AggregatorLifecycle,
        Logger,
      ],
    };
  }
}

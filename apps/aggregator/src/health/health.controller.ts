import { Controller, Get, Header, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { bounded, NotReady, PG_POOL, readinessProbe } from '@switchboard/service';
import type { StreamingClient } from '@switchboard/streams';
import { STREAMING_CLIENT } from '@switchboard/streams/nest';
import type { Pool } from 'pg';
import type { Registry } from 'prom-client';
import { METRICS_REGISTRY, PIPELINE_RUNNER } from '../injection';
import type { PipelineRunner } from '../pipelines/pipeline-runner';

const CHECK_TIMEOUT_MS = 2000;

/**
 * Liveness, readiness (pipelines running, Postgres and Kafka answer, the outbox relay publishes) and Prometheus
 * metrics. While a dependency is away the pipelines wait and retry by themselves (see the streams README, "When
 * Postgres or Kafka is down"): readiness says not ready with the reason, liveness stays ok — a restart would not
 * bring the dependency back.
 */
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(STREAMING_CLIENT) private readonly client: StreamingClient,
    @Inject(PIPELINE_RUNNER) private readonly runner: PipelineRunner,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
  ) {}

  @Get('health/live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () =>
        this.probe('pipelines', async () => {
          if (!this.runner.running) throw new NotReady('pipelines are not running (starting or shutting down)');
          return { pipelines: this.runner.names };
        }),
      () =>
        this.probe('postgres', () =>
          bounded(this.pool.query('SELECT 1'), 'Postgres', CHECK_TIMEOUT_MS).then(() => undefined),
        ),
      () => this.probe('kafka', () => this.client.checkConnection(CHECK_TIMEOUT_MS)),
      () =>
        this.probe('outbox', async () => {
          const outages = this.runner.outages();
          if (outages.length > 0) throw new NotReady(outages.join('; '));
          return undefined;
        }),
    ]);
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  private probe(key: string, check: () => Promise<unknown>) {
    return readinessProbe(this.indicators, key, check, true); // its checks resolve with sentences of their own
  }
}

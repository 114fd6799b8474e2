import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { bounded, readinessProbe } from '@switchboard/service';
import type { Pool } from 'pg';
import { PG_POOL, SHUTDOWN_STATE, type ShutdownState } from '../tokens';

const CHECK_TIMEOUT_MS = 2000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SHUTDOWN_STATE) private readonly shutdown: ShutdownState,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready = this instance should get traffic: Postgres answers and it is not shutting down. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () =>
        readinessProbe(this.indicators, 'instance', async () => {
          if (this.shutdown.shuttingDown) throw new Error('shutting down');
        }),
      () =>
        readinessProbe(this.indicators, 'postgres', () =>
          bounded(this.pool.query('SELECT 1'), 'Postgres', CHECK_TIMEOUT_MS),
        ),
    ]);
  }
}
